/**
 * The fault matrix every probe test runs against its lab: one row per fault (or group of faults
 * that must behave alike), saying the status a user would see and what the probe may record.
 * Each row becomes one test, so a failing fault is named in the report; the row's keys are
 * probed in turn and the key is named in every assertion message.
 */
import { createSocket } from 'node:dgram';
import { expect, it } from 'vitest';
import type { ProbeStatus } from '../../src/core/status.ts';
import type { Persona } from '../../src/lab/persona.ts';
import type { LineupEntry, ProbeRun, RunOverrides } from './probe-lab.ts';

/** Lab lineup entries for `faults`, each keyed by its fault's name and played by `persona`. */
export function faultLineup<F extends string>(
  persona: string | Persona,
  faults: readonly F[],
): LineupEntry<F>[] {
  return faults.map((fault) => ({ key: fault, persona, fault }));
}

/** An exact count, or a bound where a fault makes the exact number timing-dependent. */
export type Count = number | { atMost: number } | { atLeast: number };

export interface FaultRow<R extends ProbeRun = ProbeRun> {
  /** The test's name: the fault and what the user sees. */
  name: string;
  /** Lineup keys (or addresses) that must all behave as the row says. */
  keys: string | readonly string[];
  /** The status exactly, one of a list, or anything but a list. */
  status: ProbeStatus | readonly ProbeStatus[] | { not: readonly ProbeStatus[] };
  /** How many exchanges are recorded (0: nothing is). */
  exchanges?: Count;
  /** How many observations the recorded exchanges give (0: none). */
  observations?: Count;
  /** The probe proposes no follow-up. */
  noFollowUps?: true;
  /** What the outcome's detail must say. */
  detail?: RegExp;
  overrides?: RunOverrides;
  /** What else the row asserts, for what a status and counts cannot say. */
  check?: (run: R, key: string) => void;
}

function expectCount(items: readonly unknown[], count: Count, what: string): void {
  if (typeof count === 'number') expect(items, what).toHaveLength(count);
  else if ('atMost' in count) expect(items.length, what).toBeLessThanOrEqual(count.atMost);
  else expect(items.length, what).toBeGreaterThanOrEqual(count.atLeast);
}

function expectStatus(actual: ProbeStatus, status: FaultRow['status'], key: string): void {
  if (typeof status === 'string') expect(actual, key).toBe(status);
  else if ('not' in status) for (const s of status.not) expect(actual, key).not.toBe(s);
  else expect(status, key).toContain(actual);
}

/** Checks one run against its row; exported for a test whose run is not a plain lineup key. */
export function expectFaultRow<R extends ProbeRun>(run: R, row: FaultRow<R>, key: string): void {
  expectStatus(run.outcome.status, row.status, key);
  if (row.exchanges !== undefined) expectCount(run.exchanges, row.exchanges, `${key}: exchanges`);
  if (row.observations !== undefined) expectCount(run.observations, row.observations, `${key}: observations`);
  if (row.noFollowUps) expect(run.outcome.followUps ?? [], key).toEqual([]);
  if (row.detail) expect(run.outcome.detail, key).toMatch(row.detail);
  row.check?.(run, key);
}

/**
 * Registers one test per row; call it in the describe body that set up the lab. `run` is a lab
 * runner, or a wrapper that maps a key to its probe and adds what the file's checks read.
 */
export function faultMatrix<R extends ProbeRun>(
  run: (key: string, overrides?: RunOverrides) => Promise<R>,
  rows: readonly FaultRow<R>[],
): void {
  for (const row of rows) {
    it(row.name, async () => {
      for (const key of typeof row.keys === 'string' ? [row.keys] : row.keys)
        expectFaultRow(await run(key, row.overrides), row, key);
    });
  }
}

/**
 * How many datagrams a lab responder sends back to `messages` (sent in order from `from`, then a
 * `settleMs` wait): proves it answers only the messages a real device answers.
 */
export async function udpRepliesTo(
  target: { host: string; port: number },
  from: string,
  messages: readonly (Buffer | string)[],
  settleMs = 400,
): Promise<number> {
  const socket = createSocket('udp4');
  let replies = 0;
  socket.on('message', () => {
    replies += 1;
  });
  await new Promise<void>((resolve) => socket.bind(0, from, resolve));
  for (const m of messages) socket.send(m, target.port, target.host);
  await new Promise((r) => setTimeout(r, settleMs));
  socket.close();
  return replies;
}
