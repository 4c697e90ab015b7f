import type { Exchange } from '../../core/exchange.ts';
import { responseBytes } from '../../core/exchange.ts';
import type { FollowUp, MulticastDiscovery } from '../types.ts';
import { buildInquiry, SADP_GROUP, SADP_PORT } from './message.ts';
import { answersInquiry, parseSadp } from './parse.ts';
import { sadpFollowUps } from './probe.ts';

/**
 * Multicast SADP: the standard inquiry to 239.255.255.250:37020 on the chosen interfaces. Devices
 * answer the sender or the group port, so the group port is heard too; a reply counts only when it
 * echoes our Uuid. The broadcast variant some tools also send (255.255.255.255) is not used.
 */
export const sadpDiscovery: MulticastDiscovery = {
  id: 'sadp-multicast',
  protocol: 'sadp',
  group: SADP_GROUP,
  port: SADP_PORT,
  listenOnGroup: true,
  prepare() {
    const { uuid, xml } = buildInquiry();
    const parse = (reply: Buffer) => parseSadp(reply.toString('utf8'));
    return {
      payloads: [xml],
      accepts: (reply) => answersInquiry(reply, uuid),
      requestFor: () => xml,
      dedupeKey: (reply) => {
        const p = parse(reply);
        return p.ok ? `${p.match.mac ?? ''} ${p.match.serial ?? ''}` : reply.toString('base64');
      },
    };
  },
  followUps(ex: Exchange): FollowUp[] {
    return sadpFollowUps(responseBytes(ex).toString('utf8'));
  },
};
