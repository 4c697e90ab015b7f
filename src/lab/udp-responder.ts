import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

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
export async function startUdpResponder(opts: UdpResponderOptions): Promise<Socket> {
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  socket.on('error', () => {});
  socket.on('message', (msg, rinfo) => {
    opts.onMessage(msg, rinfo, (bytes) => socket.send(bytes, rinfo.port, rinfo.address, () => {}));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(opts.port, opts.multicast ? undefined : opts.host, () => {
      socket.off('error', reject);
      if (opts.multicast && opts.group) {
        try {
          socket.addMembership(opts.group, opts.host);
        } catch (err) {
          reject(err);
          return;
        }
      }
      resolve();
    });
  });
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
