import type { Exchange } from '../../core/exchange.ts';
import { classify } from '../../core/status.ts';
import type { Probe, ProbeContext, ProbeOutcome, ProbeTarget } from '../types.ts';
import { buildPtrQuery, buildQuery, MDNS_PORT, newQueryId, SERVICE_TYPES } from './message.ts';
import { answersQuery, followUpQuestions, parseMdns } from './parse.ts';

/** Rounds at most: the PTR query, SRV/TXT for PTR-only answers, then A for SRV targets. */
const MAX_ROUNDS = 3;

/** A DNS packet is binary: always recorded as base64, the query too. */
export function mdnsExchange(
  host: string,
  port: number,
  transport: Exchange['transport'],
  probe: string,
  query: Buffer,
  reply: Buffer,
): Exchange {
  return {
    type: 'exchange',
    host,
    port,
    transport,
    protocol: 'mdns',
    probe,
    request: query.toString('base64'),
    response: reply.toString('base64'),
    encoding: 'base64',
    at: new Date().toISOString(),
  };
}

/**
 * Unicast mDNS to a live host's UDP 5353 (routed subnets; the loopback lab): one PTR query for the
 * camera service types, then follow-up SRV/TXT/A queries for whatever the answers left unresolved,
 * so a responder that answers PTR only is still resolved. Replies count only from the host and only
 * when they echo our query id (or, id 0, answer a name we asked).
 */
export const mdnsUnicastProbe: Probe = {
  id: 'mdns-unicast',
  protocol: 'mdns',
  transport: 'udp',
  defaultPorts: [MDNS_PORT],
  timeoutMs: 4000,
  intrusiveness: 'safe',
  produces: ['mdns.service', 'mdns.instance', 'mdns.host', 'mdns.txt', 'mdns.address', 'mac.address'],
  async run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome> {
    const port = target.port ?? MDNS_PORT;
    const base = { probe: this.id, host: target.host, port };
    const asked = new Set<string>(SERVICE_TYPES.map((t) => `${t.toLowerCase()} PTR`));
    const askedNames = new Set<string>(SERVICE_TYPES.map((t) => t.toLowerCase()));
    const recorded = new Set<string>();
    let id = newQueryId();
    let query = buildPtrQuery(id);
    let answered = 0;
    let mismatched = 0;
    let lastError: unknown;
    for (let round = 0; round < MAX_ROUNDS && !ctx.signal.aborted; round++) {
      let replies: Buffer[] = [];
      try {
        const res = await ctx.transport.udpExchange(ctx.guard, target.host, port, query, {
          signal: ctx.signal,
          windowMs: ctx.udpWindowMs,
          repeat: round === 0 ? 2 : 1,
          maxReplies: 64,
          done: (rs) => rs.some((r) => answersQuery(parseMdns(r.bytes), id, askedNames)),
        });
        replies = res.replies.map((r) => r.bytes);
      } catch (err) {
        lastError = err;
        break;
      }
      const next = [];
      for (const bytes of replies) {
        const parsed = parseMdns(bytes);
        if (!answersQuery(parsed, id, askedNames)) {
          mismatched += 1;
          continue;
        }
        answered += 1;
        const key = bytes.toString('base64');
        if (!recorded.has(key)) {
          recorded.add(key);
          ctx.record(mdnsExchange(target.host, port, 'udp', this.id, query, bytes));
        }
        next.push(...followUpQuestions(parsed, asked));
      }
      if (next.length === 0) break;
      for (const q of next) askedNames.add(q.name.toLowerCase());
      id = newQueryId();
      query = buildQuery(id, next);
    }
    if (answered > 0) return { ...base, status: 'success', detail: `${recorded.size} mDNS answers` };
    if (mismatched > 0)
      return { ...base, status: 'protocol-error', detail: `${mismatched} replies not answering our query` };
    if (lastError) return { ...base, status: classify(lastError) };
    return { ...base, status: 'no-response' };
  },
};
