import { type ExchangeProtocol, encodeResponse } from '../core/exchange.ts';
import { classify } from '../core/status.ts';
import type { UdpExchangeResult } from '../transport/udp.ts';
import type { FollowUp, ProbeContext, ProbeOutcome, ProbeTarget } from './types.ts';

/**
 * Records one UDP reply as an exchange, unless an identical reply was already recorded (devices
 * answer each repeat of a probe): returns false for a repeat. `seen` is the probe run's own set.
 */
function recordReplyOnce(
  ctx: ProbeContext,
  seen: Set<string>,
  exchange: { host: string; port: number; protocol: ExchangeProtocol; probe: string; request: string },
  bytes: Buffer,
): boolean {
  const key = bytes.toString('base64');
  if (seen.has(key)) return false;
  seen.add(key);
  ctx.record({
    type: 'exchange',
    transport: 'udp',
    ...exchange,
    ...encodeResponse(bytes),
    at: new Date().toISOString(),
  });
  return true;
}

/**
 * What one datagram is to a unicast discovery probe: an answer to what we sent, something that is
 * not this protocol at all (`foreign`: protocol-mismatch), or this protocol but broken or not
 * answering us (`broken`: protocol-error).
 */
export type ReplyJudgement<T> = { ok: true; value: T } | { ok: false; why: 'foreign' | 'broken' };

export interface UnicastUdpSpec<T> {
  port: number;
  request: Buffer | string;
  /** The request as the exchange records it (binary requests as hex, like a capture shows them). */
  recorded: string;
  maxReplies?: number;
  /** Listen the whole window even after an answer (SSDP devices send one answer per service). */
  collectAll?: boolean;
  judge(bytes: Buffer): ReplyJudgement<T>;
  /** Addresses a kept reply advertises, as follow-ups (the engine checks scope). */
  followUps?(value: T, from: string): FollowUp[];
  /** Names the protocol's replies in details, e.g. "DHIP replies". */
  what: string;
}

/** Advertised URLs one host's answers may lead to: a chatty or hostile device cannot fan us out. */
const MAX_FOLLOW_UPS = 8;

/**
 * The unicast form of a UDP discovery protocol (routed subnets, where multicast does not reach):
 * the request to one host, sent twice; replies count only from that host (the transport drops the
 * rest) and only when `judge` accepts them; identical answers are recorded once.
 */
export async function runUnicastUdp<T>(
  probe: { id: string; protocol: ExchangeProtocol },
  target: ProbeTarget,
  ctx: ProbeContext,
  spec: UnicastUdpSpec<T>,
): Promise<ProbeOutcome> {
  const port = target.port ?? spec.port;
  const base = { probe: probe.id, host: target.host, port };
  let res: UdpExchangeResult;
  try {
    res = await ctx.transport.udpExchange(ctx.guard, target.host, port, spec.request, {
      signal: ctx.signal,
      windowMs: ctx.udpWindowMs,
      repeat: 2,
      ...(spec.maxReplies ? { maxReplies: spec.maxReplies } : {}),
      ...(spec.collectAll ? {} : { done: (replies) => replies.some((r) => spec.judge(r.bytes).ok) }),
    });
  } catch (err) {
    return { ...base, status: classify(err) };
  }
  const seen = new Set<string>();
  const followUps: FollowUp[] = [];
  let foreign = 0;
  let broken = 0;
  const exchange = {
    host: target.host,
    port,
    protocol: probe.protocol,
    probe: probe.id,
    request: spec.recorded,
  };
  for (const reply of res.replies) {
    const judged = spec.judge(reply.bytes);
    if (!judged.ok) {
      if (judged.why === 'foreign') foreign += 1;
      else broken += 1;
      continue;
    }
    if (!recordReplyOnce(ctx, seen, exchange, reply.bytes)) continue;
    for (const f of spec.followUps?.(judged.value, reply.from) ?? [])
      if (followUps.length < MAX_FOLLOW_UPS && !followUps.some((x) => x.url === f.url)) followUps.push(f);
  }
  if (seen.size > 0) {
    return {
      ...base,
      status: 'success',
      ...(seen.size > 1 ? { detail: `${seen.size} answers` } : {}),
      ...(followUps.length > 0 ? { followUps } : {}),
    };
  }
  if (broken > 0)
    return { ...base, status: 'protocol-error', detail: `${broken} ${spec.what} broken or not answering us` };
  if (foreign > 0)
    return { ...base, status: 'protocol-mismatch', detail: `${foreign} replies not ${spec.what}` };
  if (res.dropped > 0)
    return {
      ...base,
      status: 'no-response',
      detail: `${res.dropped} datagrams from other addresses dropped`,
    };
  return { ...base, status: 'no-response' };
}
