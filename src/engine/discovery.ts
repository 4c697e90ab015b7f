import { createSocket } from 'node:dgram';
import { type Exchange, encodeResponse } from '../core/exchange.ts';
import { normaliseAddress } from '../core/ip.ts';
import type { ScopeGuard } from '../core/scope.ts';
import type { MulticastDiscovery } from '../probes/types.ts';
import { type LocalInterface, type MulticastReply, multicastExchange } from '../transport/multicast.ts';
import { closeQuietly } from '../transport/udp.ts';

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
 * socket per interface (and, for protocols with an IPv6 group, one more per interface from its
 * link-local address), collects replies for `windowMs`, and keeps the in-scope ones that answer
 * what we sent. A reply's source address is the host; what it advertises is a follow-up.
 *
 * IPv6 replies come from link-local addresses (fe80::…) that no user puts in a target list. Such a
 * reply is kept only when it speaks for an in-scope address: one it advertises (XAddr, LOCATION,
 * A record) that the scope guard allows and, for IPv4, that lies on the subnet of the interface
 * the reply arrived on, so a device on one segment cannot claim a host on another. The exchange
 * then names that address as its host and the link-local sender as its source; nothing is ever
 * sent to the link-local address.
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
  const onReply = (reply: Omit<MulticastReply, 'port' | 'sendBack'> & Partial<MulticastReply>) => {
    const { from, bytes } = reply;
    if (kept >= MAX_REPLIES) {
      result.dropped += 1;
      return;
    }
    kept += 1;
    const direct = guard.check(from);
    if (!direct.allowed && !from.includes(':')) {
      if (!result.outOfScope.includes(from)) result.outOfScope.push(from);
      return;
    }
    if (!run.accepts(bytes)) {
      result.ignored += 1;
      return;
    }
    const host = direct.allowed
      ? direct.address
      : advertisedHost(discovery.advertises?.(bytes) ?? [], reply.iface, guard);
    if (host === undefined) {
      if (!result.outOfScope.includes(from)) result.outOfScope.push(from);
      return;
    }
    // Both families are kept: an answer over IPv6 is its own evidence (and names its source).
    const key = `${host}\n${from.includes(':') ? 6 : 4}\n${run.dedupeKey(bytes)}`;
    if (seen.has(key)) return;
    seen.add(key);
    result.exchanges.push({
      type: 'exchange',
      host,
      port: discovery.port,
      transport: 'multicast',
      protocol: discovery.protocol,
      probe: discovery.id,
      ...(host === normaliseAddress(from)?.text ? {} : { source: from }),
      request: run.requestFor(bytes),
      ...encodeResponse(bytes),
      at: new Date().toISOString(),
    });
    // A second round to this responder only (e.g. mDNS SRV/TXT/A after a PTR-only answer), and
    // only when the responder's own address is in scope.
    const more = direct.allowed && reply.sendBack ? run.followUp?.(bytes, direct.address) : undefined;
    if (more !== undefined) reply.sendBack?.(more);
  };
  const groupListener = discovery.listenOnGroup
    ? await listenOnGroup(discovery, interfaces, onReply)
    : undefined;
  const exchange = (group: string, payloads: readonly (Buffer | string)[]) =>
    multicastExchange(
      interfaces,
      group,
      discovery.port,
      payloads,
      { signal: opts.signal, windowMs: opts.windowMs, maxReplies: MAX_REPLIES },
      onReply,
    );
  try {
    const runs = [exchange(discovery.group, run.payloads)];
    if (discovery.groupV6) runs.push(exchange(discovery.groupV6, run.payloadsV6 ?? run.payloads));
    for (const r of await Promise.all(runs)) result.dropped += r.dropped;
  } finally {
    if (groupListener) closeQuietly(groupListener);
  }
  return result;
}

/**
 * The in-scope address a link-local IPv6 responder advertises for itself (addresses or URLs) on
 * the segment its reply came in on, if any: the first claim the scope guard allows that is IPv6
 * or lies on the interface's IPv4 subnet. Host names never qualify (they place nothing).
 */
export function advertisedHost(
  claims: readonly string[],
  iface: Pick<LocalInterface, 'first' | 'last'>,
  guard: ScopeGuard,
): string | undefined {
  for (const claim of claims.slice(0, 16)) {
    const decision = claim.includes('://') ? guard.checkUrl(claim) : guard.check(claim);
    if (!decision.allowed) continue;
    const address = normaliseAddress(decision.address);
    if (!address) continue; // a host name the user typed: not an address to place on a segment
    if (address.family === 6) return address.text;
    if (address.value >= iface.first && address.value <= iface.last) return address.text;
  }
  return undefined;
}

/** A socket on the group's port, joined on every chosen interface, for replies sent to the group. */
async function listenOnGroup(
  discovery: MulticastDiscovery,
  interfaces: readonly LocalInterface[],
  onReply: (reply: { iface: LocalInterface; from: string; bytes: Buffer }) => void,
) {
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  socket.on('error', () => closeQuietly(socket));
  // A group reply cannot say which interface it came in on; the first chosen one stands in (it
  // matters only to IPv6 replies, and this listener is IPv4).
  const iface = interfaces[0];
  socket.on('message', (msg, rinfo) => {
    if (iface) onReply({ iface, from: rinfo.address, bytes: Buffer.from(msg) });
  });
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
