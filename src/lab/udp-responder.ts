import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import type { ResponderContext, RunningResponder } from './responders/types.ts';

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
    opts.onMessage(msg, rinfo, (bytes) => sendTo(socket, rinfo, bytes));
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

/** Sends `bytes` to whoever sent `rinfo`'s datagram, from `socket`; send errors are dropped. */
export function sendTo(socket: Socket, rinfo: RemoteInfo, bytes: Buffer | string): void {
  socket.send(bytes, rinfo.port, rinfo.address, () => {});
}

/** A UDP socket on `address`, any free port: a second local source to answer from. */
export async function socketOn(address: string): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
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
  return socketOn('127.0.0.1');
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

/** A running responder made of these sockets (absent ones skipped): closing it closes them all. */
export function runningUdp(sockets: readonly (Socket | undefined)[]): RunningResponder {
  return {
    close: async () => {
      await Promise.all(sockets.map((s) => s && closeUdp(s)));
    },
  };
}

/**
 * A discovery responder on one UDP port: a request `normalAnswer` recognises is answered through
 * `answer` (which applies the persona's faults), except under `hang` (silence) and, in loopback
 * mode, `wrong-source` (the normal answer, sent from 127.0.0.1). In netns mode `answer` sees
 * `wrong-source` too: there is no second local address to answer from.
 */
export async function startDiscoveryResponder(
  ctx: ResponderContext,
  opts: {
    port: number;
    group?: string;
    /** The answer to this datagram without faults; undefined to ignore it. */
    normalAnswer(msg: Buffer): Buffer | string | undefined;
    answer(normal: Buffer | string, reply: (bytes: Buffer | string) => void): void;
  },
): Promise<RunningResponder> {
  const alt = await wrongSourceSocket(ctx);
  const socket = await startUdpResponder({
    host: ctx.host,
    port: opts.port,
    ...(opts.group ? { group: opts.group } : {}),
    multicast: ctx.multicast,
    onMessage(msg, rinfo, reply) {
      const normal = ctx.fault === 'hang' ? undefined : opts.normalAnswer(msg);
      if (normal === undefined) return;
      if (alt) sendTo(alt, rinfo, normal);
      else opts.answer(normal, reply);
    },
  });
  return runningUdp([socket, alt]);
}

/**
 * The `flood` fault for responders that answer per matching record: 10,000 datagrams, the answer
 * mixed with one-byte junk, in batches of 500 so the lab's own event loop (shared with tests)
 * keeps turning. Stops if the lab closes the socket mid-flood.
 */
export function floodInBatches(reply: (bytes: Buffer | string) => void, answer: Buffer): void {
  let i = 0;
  const batch = () => {
    try {
      for (const end = Math.min(i + 500, 10_000); i < end; i++)
        reply(i % 2 === 0 ? answer : Buffer.from([i & 0xff]));
    } catch {
      return; // the lab closed the socket mid-flood
    }
    if (i < 10_000) setImmediate(batch);
  };
  batch();
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
