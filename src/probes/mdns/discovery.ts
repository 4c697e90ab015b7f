import type { MulticastDiscovery } from '../types.ts';
import {
  buildPtrQuery,
  buildQuery,
  MDNS_GROUP_V4,
  MDNS_GROUP_V6,
  MDNS_PORT,
  newQueryId,
  SERVICE_TYPES,
} from './message.ts';
import { answersQuery, followUpQuestions, parseMdns } from './parse.ts';

/** Follow-up queries one discovery run sends at most (a flood of PTR answers cannot make us chatty). */
const MAX_FOLLOW_UPS = 256;

/**
 * Multicast DNS-SD on 224.0.0.251:5353 and [ff02::fb]:5353: one query with PTR questions for every camera service type,
 * sent from an ephemeral port, so responders answer by unicast (RFC 6762 §6.7). Responders that
 * answer PTR only get SRV/TXT/A follow-up queries by unicast through the runner's `followUp` hook.
 */
export const mdnsDiscovery: MulticastDiscovery = {
  id: 'mdns-multicast',
  protocol: 'mdns',
  group: MDNS_GROUP_V4,
  groupV6: MDNS_GROUP_V6,
  port: MDNS_PORT,
  prepare() {
    const id = newQueryId();
    const ptrQuery = buildPtrQuery(id);
    const queries = new Map<number, Buffer>([[id, ptrQuery]]);
    const askedNames = new Set<string>(SERVICE_TYPES.map((t) => t.toLowerCase()));
    const askedBy = new Map<string, Set<string>>();
    let followUps = 0;
    const matching = (reply: Buffer) => {
      const parsed = parseMdns(reply);
      if (!parsed.ok) return undefined;
      for (const qid of queries.keys()) if (answersQuery(parsed, qid, askedNames)) return { parsed, qid };
      return undefined;
    };
    return {
      payloads: [ptrQuery],
      accepts: (reply) => matching(reply) !== undefined,
      requestFor: (reply) => {
        const m = matching(reply);
        return (m ? queries.get(m.qid) : ptrQuery)?.toString('base64') ?? '';
      },
      dedupeKey: (reply) => reply.toString('base64'),
      followUp: (reply, from) => {
        const m = matching(reply);
        if (!m || followUps >= MAX_FOLLOW_UPS) return undefined;
        let asked = askedBy.get(from);
        if (!asked) {
          asked = new Set(SERVICE_TYPES.map((t) => `${t.toLowerCase()} PTR`));
          askedBy.set(from, asked);
        }
        const questions = followUpQuestions(m.parsed, asked);
        if (questions.length === 0) return undefined;
        followUps += 1;
        for (const q of questions) askedNames.add(q.name.toLowerCase());
        const qid = newQueryId();
        const query = buildQuery(qid, questions);
        queries.set(qid, query);
        return query;
      },
    };
  },
  advertises(reply: Buffer): string[] {
    const parsed = parseMdns(reply);
    return parsed.ok ? parsed.addresses.map((a) => a.address) : [];
  },
};
