import type { Exchange } from '../core/exchange.ts';
import type { Observation } from '../core/observation.ts';
import { PROTOCOLS } from '../probes/index.ts';

type Parser = (ex: Exchange) => Observation[];

/**
 * The parsers of each exchange protocol, from the descriptors. Two folders read 'sdk' (the Dahua
 * realm request and the Hikvision listener): each keeps to its own replies, both run.
 */
const PARSERS = new Map<string, Parser[]>();
for (const d of PROTOCOLS) {
  for (const [protocol, parse] of Object.entries(d.parsers) as [string, Parser][]) {
    PARSERS.set(protocol, [...(PARSERS.get(protocol) ?? []), parse]);
  }
}

/** Pure: any recorded exchange → the observations its protocol's parsers find in it. */
export function observe(ex: Exchange): Observation[] {
  const parsers = PARSERS.get(ex.protocol);
  if (!parsers) return [];
  return parsers.length === 1 ? (parsers[0]?.(ex) ?? []) : parsers.flatMap((p) => p(ex));
}
