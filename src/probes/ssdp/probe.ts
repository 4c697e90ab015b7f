import { classify } from '../../core/status.ts';
import { udpExchange } from '../../transport/udp.ts';
import type { FollowUp, Probe, ProbeContext, ProbeOutcome, ProbeTarget } from '../types.ts';
import { recordReplyOnce } from '../udp-replies.ts';

import { buildMSearch, SSDP_PORT } from './message.ts';
import { isSearchResponse, parseSsdp } from './parse.ts';

/** Device-description URLs worth fetching: http(s) only, de-duplicated, at most 8. */
export function locationFollowUps(locations: readonly (string | undefined)[]): FollowUp[] {
  const seen = new Set<string>();
  const out: FollowUp[] = [];
  for (const l of locations) {
    if (!l || !/^https?:\/\//i.test(l) || seen.has(l) || out.length >= 8) continue;
    seen.add(l);
    out.push({ probe: 'upnp', url: l });
  }
  return out;
}

/**
 * Unicast M-SEARCH (ST ssdp:all) to a live host's UDP 1900, for routed subnets and the loopback
 * lab. Every 200 answer from the host is recorded; the LOCATIONs it names become `upnp`
 * follow-ups, which the engine passes through the scope guard before anything is fetched.
 */
export const ssdpUnicastProbe: Probe = {
  id: 'ssdp-unicast',
  protocol: 'ssdp',
  transport: 'udp',
  defaultPorts: [SSDP_PORT],
  timeoutMs: 2500,
  intrusiveness: 'safe',
  produces: ['ssdp.header.server', 'ssdp.st', 'ssdp.usn', 'ssdp.location'],
  async run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome> {
    const port = target.port ?? SSDP_PORT;
    const base = { probe: this.id, host: target.host, port };
    const request = buildMSearch('ssdp:all', { unicast: target.host });
    let replies: Buffer[];
    try {
      const res = await udpExchange(ctx.guard, target.host, port, request, {
        signal: ctx.signal,
        windowMs: ctx.udpWindowMs,
        repeat: 2,
        maxReplies: 32,
      });
      replies = res.replies.map((r) => r.bytes);
    } catch (err) {
      return { ...base, status: classify(err) };
    }
    const seen = new Set<string>();
    const locations: (string | undefined)[] = [];
    let mismatched = 0;
    for (const bytes of replies) {
      const parsed = parseSsdp(bytes);
      if (!isSearchResponse(parsed)) {
        mismatched += 1;
        continue;
      }
      const exchange = { host: target.host, port, protocol: 'ssdp', probe: this.id, request } as const;
      if (!recordReplyOnce(ctx, seen, exchange, bytes)) continue;
      locations.push(parsed.message.location);
    }
    if (seen.size > 0)
      return {
        ...base,
        status: 'success',
        detail: `${seen.size} answers`,
        followUps: locationFollowUps(locations),
      };
    if (mismatched > 0)
      return { ...base, status: 'protocol-error', detail: `${mismatched} replies not SSDP answers` };
    return { ...base, status: 'no-response' };
  },
};
