import { webFollowUps } from '../advertised.ts';
import type { Probe, ProbeContext, ProbeOutcome, ProbeTarget } from '../types.ts';
import { runUnicastUdp } from '../udp-replies.ts';

import { buildSearch, DHIP_PORT, requestText } from './message.ts';
import { parseDhip } from './parse.ts';

/**
 * Unicast DHDiscover.search to one live host's UDP 37810 (routed subnets, where the multicast
 * group does not reach), sent twice; only replies from that host with a valid DHIP frame count.
 * Identical datagrams (a device answering both sends) are recorded once.
 */
export const dhipUnicastProbe: Probe = {
  id: 'dhip-unicast',
  protocol: 'dhip',
  transport: 'udp',
  defaultPorts: [DHIP_PORT],
  timeoutMs: 2500,
  intrusiveness: 'safe',
  produces: [
    'dhip.device_type',
    'dhip.serial',
    'dhip.version',
    'dhip.vendor',
    'dhip.manufacturer',
    'dhip.device_class',
    'dhip.machine_name',
    'dhip.http_port',
    'dhip.port',
    'dhip.ipv4_address',
    'mac.address',
  ],
  run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome> {
    const request = buildSearch();
    return runUnicastUdp(this, target, ctx, {
      port: DHIP_PORT,
      request,
      recorded: requestText(request),
      maxReplies: 8,
      what: 'DHIP replies',
      judge: (bytes) => {
        const parsed = parseDhip(bytes);
        if (parsed.ok) return { ok: true, value: parsed.device };
        return { ok: false, why: parsed.reason === 'not-dhip' ? 'foreign' : 'broken' };
      },
      followUps: webFollowUps,
    });
  },
};
