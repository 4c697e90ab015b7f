import type { Exchange } from './exchange.ts';

/** A named fact parsed from an exchange (or supplied directly, e.g. from another tool). */
export interface Observation {
  type: 'observation';
  host: string;
  port?: number;
  /** A field of the registry (src/observations/fields.ts, derived from the probe descriptors). */
  field: string;
  value: string;
  /** The probe whose exchange produced it. */
  probe?: string;
}

/** An observation about the host of an exchange, carrying its port and probe for the evidence trail. */
export function observationFrom(ex: Exchange, field: string, value: string): Observation {
  return {
    type: 'observation',
    host: ex.host,
    ...(ex.port !== undefined ? { port: ex.port } : {}),
    field,
    value,
    ...(ex.probe ? { probe: ex.probe } : {}),
  };
}

/** Observations about an exchange's host from field/value pairs, in order; absent or empty values are skipped. */
export function observationsFrom<F extends string>(
  ex: Exchange,
  pairs: readonly (readonly [F, string | number | undefined])[],
): Observation[] {
  const out: Observation[] = [];
  for (const [field, value] of pairs) {
    if (value === undefined || value === '') continue;
    out.push(observationFrom(ex, field, String(value)));
  }
  return out;
}

/** Longest value a parser keeps: device strings are evidence, not documents. */
const MAX_VALUE = 512;

/**
 * A parser's observation maker for one exchange: values are trimmed and bounded, and empty ones
 * give nothing. `F` is the parser's own field names, so a typo fails to compile.
 */
export function observationMaker<F extends string = string>(
  ex: Exchange,
): (field: F, value: string | undefined) => Observation[] {
  return (field, value) => {
    const v = value?.trim().slice(0, MAX_VALUE);
    if (!v) return [];
    return [observationFrom(ex, field, v)];
  };
}
