import type { Exchange } from '../../core/exchange.ts';
import { responseBytes } from '../../core/exchange.ts';
import type { FollowUp, MulticastDiscovery } from '../types.ts';
import { buildProbe, WSD_GROUP_V4, WSD_GROUP_V6, WSD_PORT } from './message.ts';
import { parseProbeMatches } from './parse.ts';
import { xaddrFollowUps } from './probe.ts';

/**
 * Multicast WS-Discovery on 239.255.255.250 and ff02::c: both ONVIF types, each sent twice;
 * replies must name our MessageID.
 */
export const wsdDiscovery: MulticastDiscovery = {
  id: 'wsd-multicast',
  protocol: 'wsd',
  group: WSD_GROUP_V4,
  groupV6: WSD_GROUP_V6,
  port: WSD_PORT,
  prepare() {
    const probes = [buildProbe('nvt'), buildProbe('device')];
    const relatesTo = (reply: Buffer) => {
      const parsed = parseProbeMatches(reply.toString('utf8'));
      return parsed.ok ? parsed.relatesTo : undefined;
    };
    return {
      payloads: probes.map((p) => p.xml),
      accepts: (reply) => {
        const id = relatesTo(reply);
        return id !== undefined && probes.some((p) => p.messageId === id);
      },
      requestFor: (reply) => probes.find((p) => p.messageId === relatesTo(reply))?.xml ?? '',
      dedupeKey: (reply) => {
        const parsed = parseProbeMatches(reply.toString('utf8'));
        return parsed.ok ? parsed.matches.map((m) => m.endpoint).join(' ') : reply.toString('base64');
      },
    };
  },
  advertises(reply: Buffer): string[] {
    const parsed = parseProbeMatches(reply.toString('utf8'));
    return parsed.ok ? parsed.matches.flatMap((m) => m.xaddrs) : [];
  },
  followUps(ex: Exchange): FollowUp[] {
    const parsed = parseProbeMatches(responseBytes(ex).toString('utf8'));
    if (!parsed.ok) return [];
    return parsed.matches.filter((m) => m.onvif).flatMap((m) => xaddrFollowUps(m.xaddrs));
  },
};
