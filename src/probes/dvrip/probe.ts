import { classify } from '../../core/status.ts';
import { udpExchange } from '../../transport/udp.ts';
import type { Probe, ProbeContext, ProbeOutcome, ProbeTarget } from '../types.ts';
import { recordReplyOnce } from '../udp-replies.ts';

import { buildDiscoveryRequest, DVRIP_DISCOVERY_PORT } from './message.ts';
import { parseDvripDiscovery } from './parse.ts';

/**
 * Xiongmai DVRIP discovery, unicast: the vendor's search message (id 1530, empty body) to the host's
 * UDP 34569, sent twice; replies count only from that host and only as message 1531 with a
 * NetWork.NetCommon body. Real tools broadcast it to 255.255.255.255; camsweep never broadcasts, so
 * there is no multicast/broadcast variant — a device that answers only broadcasts is not seen here.
 */
export const dvripDiscoveryProbe: Probe = {
  id: 'dvrip-discovery',
  protocol: 'dvrip',
  transport: 'udp',
  defaultPorts: [DVRIP_DISCOVERY_PORT],
  timeoutMs: 2500,
  intrusiveness: 'safe',
  produces: [
    'dvrip.host_name',
    'dvrip.serial',
    'dvrip.mac',
    'dvrip.device_type',
    'dvrip.build_date',
    'dvrip.firmware',
    'dvrip.host_ip',
    'dvrip.tcp_port',
    'dvrip.http_port',
    'mac.address',
  ],
  async run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome> {
    const port = target.port ?? DVRIP_DISCOVERY_PORT;
    const base = { probe: this.id, host: target.host, port };
    const request = buildDiscoveryRequest();
    let res: Awaited<ReturnType<typeof udpExchange>>;
    try {
      res = await udpExchange(ctx.guard, target.host, port, request, {
        signal: ctx.signal,
        windowMs: ctx.udpWindowMs,
        repeat: 2,
        done: (replies) => replies.some((r) => parseDvripDiscovery(r.bytes).ok),
      });
    } catch (err) {
      return { ...base, status: classify(err) };
    }
    const seen = new Set<string>();
    let mismatched = 0;
    for (const reply of res.replies) {
      if (!parseDvripDiscovery(reply.bytes).ok) {
        mismatched += 1;
        continue;
      }
      // The request is binary: recorded as hex, like a capture would show it.
      const exchange = {
        host: target.host,
        port,
        protocol: 'dvrip',
        probe: this.id,
        request: request.toString('hex'),
      } as const;
      recordReplyOnce(ctx, seen, exchange, reply.bytes);
    }
    if (seen.size > 0) return { ...base, status: 'success' };
    if (mismatched > 0)
      return {
        ...base,
        status: 'protocol-error',
        detail: `${mismatched} replies not a DVRIP discovery reply`,
      };
    return { ...base, status: 'no-response' };
  },
};
