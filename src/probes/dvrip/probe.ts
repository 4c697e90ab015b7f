import type { Probe, ProbeContext, ProbeOutcome, ProbeTarget } from '../types.ts';
import { runUnicastUdp } from '../udp-replies.ts';

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
  run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome> {
    const request = buildDiscoveryRequest();
    return runUnicastUdp(this, target, ctx, {
      port: DVRIP_DISCOVERY_PORT,
      request,
      recorded: request.toString('hex'),
      what: 'DVRIP discovery replies',
      judge: (bytes) =>
        parseDvripDiscovery(bytes).ok ? { ok: true, value: bytes } : { ok: false, why: 'broken' },
    });
  },
};
