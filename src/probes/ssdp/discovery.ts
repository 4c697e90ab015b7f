import type { Exchange } from '../../core/exchange.ts';
import { responseBytes } from '../../core/exchange.ts';
import type { FollowUp, MulticastDiscovery } from '../types.ts';
import { buildMSearch, SEARCH_TARGETS, SSDP_GROUP_V4, SSDP_GROUP_V6, SSDP_PORT } from './message.ts';
import { isSearchResponse, parseSsdp } from './parse.ts';
import { locationFollowUps } from './probe.ts';

/**
 * Multicast SSDP: two M-SEARCHes (ST ssdp:all and upnp:rootdevice, MX 2) to 239.255.255.250:1900
 * and [ff02::c]:1900.
 * Devices answer by unicast to our socket; a reply counts when it is a 200 with ST or USN (not
 * another host's M-SEARCH or NOTIFY). LOCATION is a follow-up, fetched only when in scope.
 */
export const ssdpDiscovery: MulticastDiscovery = {
  id: 'ssdp-multicast',
  protocol: 'ssdp',
  group: SSDP_GROUP_V4,
  groupV6: SSDP_GROUP_V6,
  port: SSDP_PORT,
  prepare() {
    const searches = SEARCH_TARGETS.map((st) => ({ st, text: buildMSearch(st) }));
    const all = searches[0]?.text ?? '';
    return {
      payloads: searches.map((s) => s.text),
      payloadsV6: SEARCH_TARGETS.map((st) => buildMSearch(st, { group: SSDP_GROUP_V6 })),
      accepts: (reply) => isSearchResponse(parseSsdp(reply)),
      requestFor: (reply) => {
        const parsed = parseSsdp(reply);
        const st = parsed.ok ? parsed.message.st : undefined;
        return searches.find((s) => s.st === st)?.text ?? all;
      },
      dedupeKey: (reply) => {
        const parsed = parseSsdp(reply);
        return parsed.ok
          ? `${parsed.message.usn ?? ''}\n${parsed.message.st ?? ''}\n${parsed.message.location ?? ''}`
          : reply.toString('base64');
      },
    };
  },
  advertises(reply: Buffer): string[] {
    const parsed = parseSsdp(reply);
    return parsed.ok && parsed.message.location ? [parsed.message.location] : [];
  },
  followUps(ex: Exchange): FollowUp[] {
    const parsed = parseSsdp(responseBytes(ex));
    return parsed.ok ? locationFollowUps([parsed.message.location]) : [];
  },
};
