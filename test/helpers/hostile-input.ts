/**
 * What every parser test asserts on hostile input: the parser never throws, and what it observes
 * stays bounded and uses registered fields. `hostileInputs` is the property-test matrix (one test
 * per kind of input); `expectBoundedObservations` the check most of those properties share.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { Observation } from '../../src/core/observation.ts';
import { isField } from '../../src/observations/fields.ts';

export interface HostileInput<T> {
  /** The test's name: which kind of input never breaks the parser. */
  name: string;
  input: fc.Arbitrary<T>;
  /** fast-check runs; larger inputs get fewer. */
  runs: number;
}

/** Registers one property test per row, each feeding its inputs to `check`. */
export function hostileInputs<T>(check: (input: T) => void, rows: readonly HostileInput<T>[]): void {
  for (const row of rows) {
    it(row.name, () => {
      fc.assert(
        fc.property(row.input, (input) => check(input)),
        { numRuns: row.runs },
      );
    });
  }
}

/** Arbitrary bytes as a Buffer, the commonest hostile input. */
export function anyBytes(maxLength: number): fc.Arbitrary<Buffer> {
  return fc.uint8Array({ maxLength }).map((b) => Buffer.from(b));
}

/**
 * At most `count` observations, each of a registered field with a value of at most `length`
 * characters, and (when given) attributed to `host`.
 */
export function expectBoundedObservations(
  obs: readonly Observation[],
  bounds: { count?: number; length: number; host?: string },
): void {
  if (bounds.count !== undefined) expect(obs.length).toBeLessThanOrEqual(bounds.count);
  for (const o of obs) {
    expect(isField(o.field), o.field).toBe(true);
    expect(o.value.length).toBeLessThanOrEqual(bounds.length);
    if (bounds.host !== undefined) expect(o.host).toBe(bounds.host);
  }
}
