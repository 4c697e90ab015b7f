import { encodeResponse } from '../../core/exchange.ts';
import { classify } from '../../core/status.ts';
import { urlFollowUps } from '../advertised.ts';
import type { FollowUp, Probe, ProbeContext, ProbeOutcome, ProbeTarget } from '../types.ts';
import { buildProbe, WSD_PORT, type WsdType } from './message.ts';
import { parseProbeMatches } from './parse.ts';

/** XAddrs worth following: ONVIF device services, http(s) only, de-duplicated. */
export function xaddrFollowUps(xaddrs: readonly string[]): FollowUp[] {
  return urlFollowUps('onvif', xaddrs);
}

/**
 * Unicast WS-Discovery (routed subnets): one typed Probe per ONVIF type, each sent twice, replies
 * accepted only from the host and only when RelatesTo names our MessageID.
 */
export const wsdUnicastProbe: Probe = {
  id: 'wsd-unicast',
  protocol: 'wsd',
  transport: 'udp',
  defaultPorts: [WSD_PORT],
  timeoutMs: 2500,
  intrusiveness: 'safe',
  produces: [
    'wsd.types',
    'wsd.endpoint',
    'wsd.xaddr',
    'wsd.scope.name',
    'wsd.scope.hardware',
    'wsd.scope.other',
    'mac.address',
  ],
  async run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome> {
    const port = target.port ?? ctx.wsdPort;
    const base = { probe: this.id, host: target.host, port };
    const followUps: FollowUp[] = [];
    let answered = false;
    let mismatched = 0;
    let lastError: unknown;
    for (const type of ['nvt', 'device'] as WsdType[]) {
      const { messageId, xml } = buildProbe(type);
      try {
        const res = await ctx.transport.udpExchange(ctx.guard, target.host, port, xml, {
          signal: ctx.signal,
          windowMs: ctx.udpWindowMs,
          repeat: 2,
          done: (replies) => replies.length > 0,
        });
        for (const reply of res.replies) {
          const text = reply.bytes.toString('utf8');
          const parsed = parseProbeMatches(text);
          if (!parsed.ok || parsed.relatesTo !== messageId) {
            mismatched += 1;
            continue;
          }
          answered = true;
          ctx.record({
            type: 'exchange',
            host: target.host,
            port,
            transport: 'udp',
            protocol: 'wsd',
            probe: this.id,
            request: xml,
            ...encodeResponse(reply.bytes),
            at: new Date().toISOString(),
          });
          for (const m of parsed.matches) if (m.onvif) followUps.push(...xaddrFollowUps(m.xaddrs));
        }
      } catch (err) {
        lastError = err;
      }
      // One ONVIF type is enough when the device answered: the second would repeat it.
      if (answered) break;
    }
    if (answered)
      return { ...base, status: 'success', followUps: xaddrFollowUps(followUps.map((f) => f.url)) };
    if (mismatched > 0)
      return { ...base, status: 'protocol-error', detail: `${mismatched} replies not matching our probe` };
    if (lastError) return { ...base, status: classify(lastError) };
    return { ...base, status: 'no-response' };
  },
};
