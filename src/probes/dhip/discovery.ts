import type { Exchange } from '../../core/exchange.ts';
import { responseBytes } from '../../core/exchange.ts';
import { webFollowUps } from '../advertised.ts';
import type { FollowUp, MulticastDiscovery } from '../types.ts';
import { buildSearch, DHIP_GROUP_V4, DHIP_PORT, requestText } from './message.ts';
import { parseDhip } from './parse.ts';

/**
 * Multicast DHDiscover.search to 239.255.255.251:37810. The search carries no id to echo, so a
 * reply is ours when it is a valid client.notifyDevInfo DHIP frame; one device's repeats (same
 * MAC and serial) are recorded once.
 */
export const dhipDiscovery: MulticastDiscovery = {
  id: 'dhip-multicast',
  protocol: 'dhip',
  group: DHIP_GROUP_V4,
  port: DHIP_PORT,
  prepare() {
    const request = buildSearch();
    return {
      payloads: [request],
      accepts: (reply) => parseDhip(reply).ok,
      requestFor: () => requestText(request),
      dedupeKey: (reply) => {
        const parsed = parseDhip(reply);
        return parsed.ok
          ? `${parsed.device.mac ?? ''} ${parsed.device.serial ?? ''}`
          : reply.toString('base64');
      },
    };
  },
  followUps(ex: Exchange): FollowUp[] {
    const parsed = parseDhip(responseBytes(ex));
    return parsed.ok ? webFollowUps(parsed.device, ex.source ?? ex.host) : [];
  },
};
