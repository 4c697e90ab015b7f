import { createSocket } from 'node:dgram';
import { type Exchange, encodeResponse } from '../core/exchange.ts';
import type { MulticastDiscovery } from '../probes/types.ts';
import { type LocalInterface, multicastExchange } from '../transport/multicast.ts';
import { closeQuietly } from '../transport/udp.ts';
import type { ScopeGuard } from './scope.ts';

export interface DiscoveryResult {
  exchanges: Exchange[];
  /** Responders outside the sweep's scope: counted, never recorded or contacted. */
  outOfScope: string[];
  /** Replies that answered nothing we sent (strays, other scanners, garbage). */
  ignored: number;
  /** Datagrams beyond the reply cap (a flood). */
  dropped: number;
}

const MAX_REPLIES = 4096;

/**
 * Runs one multicast discovery protocol on the chosen interfaces: sends its payloads from one
 * socket per interface, collects replies for `windowMs`, and keeps the in-scope ones that answer
 * what we sent. A reply's source address is the host; what it advertises is a follow-up.
 */
export async function runMulticastDiscovery(
  discovery: MulticastDiscovery,
  interfaces: readonly LocalInterface[],
  guard: ScopeGuard,
  opts: { signal: AbortSignal; windowMs: number },
): Promise<DiscoveryResult> {
  const result: DiscoveryResult = { exchanges: [], outOfScope: [], ignored: 0, dropped: 0 };
  if (interfaces.length === 0 || opts.signal.aborted) return result;
  const run = discovery.prepare();
  const seen = new Set<string>();
  let kept = 0;
  const onReply = (from: string, bytes: Buffer, sendBack?: (payload: Buffer | string) => void) => {
    if (kept >= MAX_REPLIES) {
      result.dropped += 1;
      return;
    }
    kept += 1;
    const decision = guard.check(from);
    if (!decision.allowed) {
      if (!result.outOfScope.includes(from)) result.outOfScope.push(from);
      return;
    }
    if (!run.accepts(bytes)) {
      result.ignored += 1;
      return;
    }
    const key = `${decision.address}\n${run.dedupeKey(bytes)}`;
    if (seen.has(key)) return;
    seen.add(key);
    result.exchanges.push({
      type: 'exchange',
      host: decision.address,
      port: discovery.port,
      transport: 'multicast',
      protocol: discovery.protocol,
      probe: discovery.id,
      request: run.requestFor(bytes),
      ...encodeResponse(bytes),
      at: new Date().toISOString(),
    });
    // A second round to this responder only (e.g. mDNS SRV/TXT/A after a PTR-only answer).
    const more = sendBack ? run.followUp?.(bytes, decision.address) : undefined;
    if (more !== undefined && sendBack) sendBack(more);
  };
  const groupListener = discovery.listenOnGroup
    ? await listenOnGroup(discovery, interfaces, onReply)
    : undefined;
  try {
    const r = await multicastExchange(
      interfaces,
      discovery.group,
      discovery.port,
      run.payloads,
      { signal: opts.signal, windowMs: opts.windowMs, maxReplies: MAX_REPLIES },
      (reply) => onReply(reply.from, reply.bytes, reply.sendBack),
    );
    result.dropped += r.dropped;
  } finally {
    if (groupListener) closeQuietly(groupListener);
  }
  return result;
}

/** A socket on the group's port, joined on every chosen interface, for replies sent to the group. */
async function listenOnGroup(
  discovery: MulticastDiscovery,
  interfaces: readonly LocalInterface[],
  onReply: (from: string, bytes: Buffer) => void,
) {
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  socket.on('error', () => closeQuietly(socket));
  socket.on('message', (msg, rinfo) => onReply(rinfo.address, Buffer.from(msg)));
  const ok = await new Promise<boolean>((resolve) => {
    socket.once('error', () => resolve(false));
    socket.bind(discovery.port, () => {
      for (const i of interfaces) {
        try {
          socket.addMembership(discovery.group, i.address);
        } catch {
          // another socket of ours may hold the membership already; the sender socket still hears replies
        }
      }
      resolve(true);
    });
  });
  return ok ? socket : undefined;
}
