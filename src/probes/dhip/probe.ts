import { classify } from '../../core/status.ts';
import { udpExchange } from '../../transport/udp.ts';
import type { FollowUp, Probe, ProbeContext, ProbeOutcome, ProbeTarget } from '../types.ts';
import { recordReplyOnce } from '../udp-replies.ts';

import { buildSearch, DHIP_PORT, requestText } from './message.ts';
import { advertisedHttpUrl, type DhipDevice, parseDhip } from './parse.ts';

/** HttpPort on the advertised address, for the 'http' follow-up (the engine checks the scope). */
export function dhipFollowUps(device: DhipDevice, replyFrom: string): FollowUp[] {
  const url = advertisedHttpUrl(device, replyFrom);
  return url ? [{ probe: 'http', url }] : [];
}

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
  async run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome> {
    const port = target.port ?? DHIP_PORT;
    const base = { probe: this.id, host: target.host, port };
    const request = buildSearch();
    let res: Awaited<ReturnType<typeof udpExchange>>;
    try {
      res = await udpExchange(ctx.guard, target.host, port, request, {
        signal: ctx.signal,
        windowMs: ctx.udpWindowMs,
        repeat: 2,
        maxReplies: 8,
        done: (replies) => replies.some((r) => parseDhip(r.bytes).ok),
      });
    } catch (err) {
      return { ...base, status: classify(err) };
    }
    const seen = new Set<string>();
    const followUps: FollowUp[] = [];
    let garbage = 0;
    let broken = 0;
    for (const reply of res.replies) {
      const parsed = parseDhip(reply.bytes);
      if (!parsed.ok) {
        if (parsed.reason === 'not-dhip') garbage += 1;
        else broken += 1;
        continue;
      }
      const exchange = {
        host: target.host,
        port,
        protocol: 'dhip',
        probe: this.id,
        request: requestText(request),
      } as const;
      if (!recordReplyOnce(ctx, seen, exchange, reply.bytes)) continue;
      for (const f of dhipFollowUps(parsed.device, reply.from))
        if (!followUps.some((x) => x.url === f.url)) followUps.push(f);
    }
    if (seen.size > 0) return { ...base, status: 'success', followUps };
    if (broken > 0) return { ...base, status: 'protocol-error', detail: `${broken} malformed DHIP replies` };
    if (garbage > 0) return { ...base, status: 'protocol-mismatch', detail: `${garbage} replies not DHIP` };
    return { ...base, status: 'no-response' };
  },
};
