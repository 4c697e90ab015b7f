import type { Exchange } from '../core/exchange.ts';
import type { Observation } from '../core/observation.ts';
import type { FieldName } from './fields.ts';

/** An observation about the host of an exchange, carrying its port and probe for the evidence trail. */
export function observationFrom(ex: Exchange, field: FieldName, value: string): Observation {
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
export function observationsFrom(
  ex: Exchange,
  pairs: readonly (readonly [FieldName, string | number | undefined])[],
): Observation[] {
  const out: Observation[] = [];
  for (const [field, value] of pairs) {
    if (value === undefined || value === '') continue;
    out.push(observationFrom(ex, field, String(value)));
  }
  return out;
}
