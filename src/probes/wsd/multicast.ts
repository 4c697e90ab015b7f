import { type Exchange, encodeResponse } from '../../core/exchange.ts';
import type { ScopeGuard } from '../../engine/scope.ts';
import { type LocalInterface, multicastExchange } from '../../transport/multicast.ts';
import { buildProbe, WSD_GROUP_V4, WSD_PORT } from './message.ts';
import { parseProbeMatches } from './parse.ts';

export interface MulticastWsdResult {
  exchanges: Exchange[];
  /** Responders outside the sweep's scope: counted, never recorded or contacted. */
  outOfScope: string[];
  ignored: number;
}

/**
 * Multicast WS-Discovery on chosen segments: both ONVIF types, each sent twice, replies kept only
 * when RelatesTo names one of our probes and the responder is in scope.
 */
export async function multicastWsd(
  interfaces: readonly LocalInterface[],
  guard: ScopeGuard,
  opts: { signal: AbortSignal; windowMs: number },
): Promise<MulticastWsdResult> {
  const probes = [buildProbe('nvt'), buildProbe('device')];
  const ids = new Set(probes.map((p) => p.messageId));
  const result: MulticastWsdResult = { exchanges: [], outOfScope: [], ignored: 0 };
  const seen = new Set<string>();
  if (interfaces.length === 0) return result;
  await multicastExchange(
    interfaces,
    WSD_GROUP_V4,
    WSD_PORT,
    probes.map((p) => p.xml),
    { signal: opts.signal, windowMs: opts.windowMs },
    (reply) => {
      const decision = guard.check(reply.from);
      if (!decision.allowed) {
        if (!result.outOfScope.includes(reply.from)) result.outOfScope.push(reply.from);
        return;
      }
      const text = reply.bytes.toString('utf8');
      const parsed = parseProbeMatches(text);
      if (!parsed.ok || !parsed.relatesTo || !ids.has(parsed.relatesTo)) {
        result.ignored += 1;
        return;
      }
      // The same device answers each repeat and each type: keep one reply per responder and text.
      const key = `${reply.from}\n${parsed.matches.map((m) => m.endpoint).join(' ')}`;
      if (seen.has(key)) return;
      seen.add(key);
      result.exchanges.push({
        type: 'exchange',
        host: decision.address,
        port: WSD_PORT,
        transport: 'multicast',
        protocol: 'wsd',
        probe: 'wsd-multicast',
        request: probes.find((p) => p.messageId === parsed.relatesTo)?.xml ?? '',
        ...encodeResponse(reply.bytes),
        at: new Date().toISOString(),
      });
    },
  );
  return result;
}
