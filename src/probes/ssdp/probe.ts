import { urlFollowUps } from '../advertised.ts';
import type { FollowUp, Probe, ProbeContext, ProbeOutcome, ProbeTarget } from '../types.ts';
import { runUnicastUdp } from '../udp-replies.ts';

import { buildMSearch, SSDP_PORT } from './message.ts';
import { isSearchResponse, parseSsdp } from './parse.ts';

/** Device-description URLs worth fetching: http(s) only, de-duplicated, at most 8. */
export function locationFollowUps(locations: readonly (string | undefined)[]): FollowUp[] {
  return urlFollowUps('upnp', locations, 8);
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
  run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome> {
    const request = buildMSearch('ssdp:all', { unicast: target.host });
    return runUnicastUdp(this, target, ctx, {
      port: SSDP_PORT,
      request,
      recorded: request,
      maxReplies: 32,
      collectAll: true,
      what: 'SSDP answers',
      judge: (bytes) => {
        const parsed = parseSsdp(bytes);
        return isSearchResponse(parsed)
          ? { ok: true, value: parsed.message.location }
          : { ok: false, why: 'broken' };
      },
      followUps: (location) => locationFollowUps([location]),
    });
  },
};
