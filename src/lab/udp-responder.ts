import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { networkInterfaces } from 'node:os';

export interface UdpResponderOptions {
  host: string;
  port: number;
  /** netns mode: bind the wildcard and join this group on `host`. */
  group?: string;
  multicast: boolean;
  /** Called per datagram; `reply` answers to the sender (unicast, as real devices do). */
  onMessage(msg: Buffer, rinfo: RemoteInfo, reply: (bytes: Buffer | string) => void): void;
}

/**
 * A UDP listener for a lab persona: on its own address in loopback mode (no root, no multicast),
 * on the wildcard with group membership on its address in netns mode.
 */
export function startUdpResponder(opts: UdpResponderOptions): Promise<Socket> {
  return listen('udp4', opts, opts.multicast ? undefined : opts.host, (socket) => {
    if (opts.multicast && opts.group) socket.addMembership(opts.group, opts.host);
  });
}

/**
 * netns mode, for protocols with an IPv6 group: the same listener on the wildcard IPv6 address,
 * joined to `group` on the interface that holds the persona's IPv4 address. Its replies leave from
 * the persona's link-local address, as a real device's do. Undefined in loopback mode.
 */
export async function startUdpResponderV6(
  opts: Omit<UdpResponderOptions, 'group'> & { group: string },
): Promise<Socket | undefined> {
  if (!opts.multicast) return undefined;
  const ifname = Object.entries(networkInterfaces()).find(([, addrs]) =>
    (addrs ?? []).some((a) => a.address === opts.host),
  )?.[0];
  if (ifname === undefined) return undefined;
  return listen('udp6', opts, '::', (socket) => socket.addMembership(opts.group, `::%${ifname}`));
}

async function listen(
  type: 'udp4' | 'udp6',
  opts: Pick<UdpResponderOptions, 'port' | 'onMessage'>,
  address: string | undefined,
  join: (socket: Socket) => void,
): Promise<Socket> {
  const socket = createSocket({ type, reuseAddr: true });
  socket.on('error', () => {});
  socket.on('message', (msg, rinfo) => {
    opts.onMessage(msg, rinfo, (bytes) => socket.send(bytes, rinfo.port, rinfo.address, () => {}));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(opts.port, address, () => {
      socket.off('error', reject);
      try {
        join(socket);
        resolve();
      } catch (err) {
        socket.close();
        reject(err);
      }
    });
  });
  return socket;
}

/**
 * For the `wrong-source` fault in loopback mode: a socket on 127.0.0.1 (not the persona's address)
 * to answer from, so the probe sees a reply from an address it never asked. Undefined otherwise.
 */
export async function wrongSourceSocket(ctx: {
  fault?: string;
  multicast: boolean;
}): Promise<Socket | undefined> {
  if (ctx.fault !== 'wrong-source' || ctx.multicast) return undefined;
  const socket = createSocket('udp4');
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

export function closeUdp(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

/**
 * Sends a persona's answer, with the two faults every UDP responder shares: `duplicate` (three
 * copies) and `flood` (10,000 datagrams: the answer, mixed with junk). Anything else: the answer once.
 */
export function sendAnswer(
  reply: (bytes: Buffer | string) => void,
  answer: Buffer | string,
  fault?: string,
): void {
  if (fault === 'duplicate') {
    for (let i = 0; i < 3; i++) reply(answer);
  } else if (fault === 'flood') {
    for (let i = 0; i < 10_000; i++) reply(i % 2 === 0 ? answer : Buffer.from([i & 0xff]));
  } else {
    reply(answer);
  }
}
