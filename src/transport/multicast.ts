import { createSocket, type RemoteInfo } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { CamsweepError } from '../core/errors.ts';
import { ipToBigInt } from '../core/ip.ts';
import { closeQuietly } from './udp.ts';

export interface LocalInterface {
  name: string;
  address: string;
  /** Network as bigint bounds, to decide whether the sweep's targets live on this segment. */
  first: bigint;
  last: bigint;
  /**
   * The interface's IPv6 link-local address with its zone (`fe80::1%eth0`), when it has one:
   * IPv6 multicast discovery (ff02::c, ff02::fb) leaves from it, on the same segment.
   */
  linkLocal6?: string;
}

export function ipv4Interfaces(): LocalInterface[] {
  const out: LocalInterface[] = [];
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    const linkLocal = (addrs ?? []).find(
      (a) => a.family === 'IPv6' && !a.internal && a.address.toLowerCase().startsWith('fe80:'),
    );
    for (const a of addrs ?? []) {
      if (a.family !== 'IPv4' || a.internal) continue;
      const addr = ipToBigInt(a.address).value;
      const mask = ipToBigInt(a.netmask).value;
      const first = addr & mask;
      out.push({
        name,
        address: a.address,
        first,
        last: first | (~mask & 0xffffffffn),
        ...(linkLocal ? { linkLocal6: `${linkLocal.address}%${name}` } : {}),
      });
    }
  }
  return out;
}

export type InterfaceChoice = 'auto' | 'all' | 'none' | string[];

/**
 * Which segments get multicast. `auto` (the default) takes only interfaces whose subnet overlaps
 * the sweep's targets, so sweeping 10.1.2.0/24 never multicasts onto an unrelated segment.
 */
export function chooseInterfaces(
  choice: InterfaceChoice,
  targetRanges: readonly { family: 4 | 6; start: bigint; end: bigint }[],
  available = ipv4Interfaces(),
): LocalInterface[] {
  if (choice === 'none') return [];
  if (choice === 'all') return available;
  if (choice === 'auto') {
    return available.filter((i) =>
      targetRanges.some((r) => r.family === 4 && r.start <= i.last && r.end >= i.first),
    );
  }
  return choice.map((name) => {
    const found = available.find((i) => i.name === name || i.address === name);
    if (!found) {
      const known = available.map((i) => i.name).join(', ') || 'none';
      throw new CamsweepError(
        'USAGE',
        `unknown interface "${name}" for --interface (IPv4 interfaces here: ${known})`,
      );
    }
    return found;
  });
}

export interface MulticastReply {
  iface: LocalInterface;
  from: string;
  port: number;
  bytes: Buffer;
  /** Sends a datagram back to the replying address on the group port, from the same socket. */
  sendBack(payload: Buffer | string): void;
}

/**
 * Sends a datagram to a group from one socket per interface (bound to that interface's address,
 * multicast leaving through it) and collects unicast replies for `windowMs`. An IPv6 group
 * (ff02::…) is sent from each interface's link-local address, to the group in that interface's
 * zone; interfaces without one are skipped.
 */
export async function multicastExchange(
  interfaces: readonly LocalInterface[],
  group: string,
  port: number,
  payloads: readonly (Buffer | string)[],
  opts: { signal: AbortSignal; windowMs: number; repeat?: number; gapMs?: number; maxReplies?: number },
  onReply: (reply: MulticastReply) => void,
): Promise<{ dropped: number }> {
  let dropped = 0;
  let kept = 0;
  const maxReplies = opts.maxReplies ?? 4096;
  const v6 = group.includes(':');
  const legs = interfaces.flatMap((iface) => {
    if (!v6) return [{ iface, bindTo: iface.address, via: iface.address, to: group }];
    if (!iface.linkLocal6) return [];
    return [{ iface, bindTo: iface.linkLocal6, via: `::%${iface.name}`, to: `${group}%${iface.name}` }];
  });
  await Promise.all(
    legs.map(
      ({ iface, bindTo, via, to }) =>
        new Promise<void>((resolve) => {
          const socket = createSocket({ type: v6 ? 'udp6' : 'udp4', reuseAddr: true });
          const timers: NodeJS.Timeout[] = [];
          let done = false;
          const finish = () => {
            if (done) return;
            done = true;
            for (const t of timers) clearTimeout(t);
            opts.signal.removeEventListener('abort', finish);
            closeQuietly(socket);
            resolve();
          };
          opts.signal.addEventListener('abort', finish, { once: true });
          socket.on('error', finish);
          socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
            if (kept >= maxReplies) {
              dropped += 1;
              return;
            }
            kept += 1;
            onReply({
              iface,
              from: rinfo.address,
              port: rinfo.port,
              bytes: Buffer.from(msg),
              sendBack: (payload) => {
                if (!done) socket.send(payload, port, rinfo.address, () => {});
              },
            });
          });
          socket.bind(0, bindTo, () => {
            try {
              socket.setMulticastInterface(via);
              socket.setMulticastTTL(1);
            } catch {
              finish();
              return;
            }
            const repeat = opts.repeat ?? 2;
            const gap = opts.gapMs ?? 150;
            for (let i = 0; i < repeat; i++) {
              for (const payload of payloads) {
                timers.push(setTimeout(() => !done && socket.send(payload, port, to, () => {}), i * gap));
              }
            }
            timers.push(setTimeout(finish, (repeat - 1) * gap + opts.windowMs));
          });
        }),
    ),
  );
  return { dropped };
}
