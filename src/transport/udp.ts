import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { ScopeGuard } from '../core/scope.ts';

export interface UdpReply {
  from: string;
  port: number;
  bytes: Buffer;
}

export interface UdpExchangeOptions {
  signal: AbortSignal;
  /** How long to listen after the last send. */
  windowMs: number;
  /** Send the payload this many times, `repeatGapMs` apart (UDP loses datagrams). */
  repeat?: number;
  repeatGapMs?: number;
  /** Keep at most this many replies (a flood of 10,000 datagrams is counted, not stored). */
  maxReplies?: number;
  /** Stop listening early when this returns true. */
  done?: (replies: readonly UdpReply[]) => boolean;
}

export interface UdpExchangeResult {
  replies: UdpReply[];
  /** Datagrams dropped: over maxReplies, or from an address we did not ask. */
  dropped: number;
}

const MAX_DATAGRAM = 65_507;

/** Sends a datagram to one host and collects the replies that come from that host only. */
export async function udpExchange(
  guard: ScopeGuard,
  host: string,
  port: number,
  payload: Buffer | string,
  opts: UdpExchangeOptions,
): Promise<UdpExchangeResult> {
  const address = guard.assert(host);
  const socket = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4' });
  const replies: UdpReply[] = [];
  let dropped = 0;
  const maxReplies = opts.maxReplies ?? 32;
  return new Promise<UdpExchangeResult>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const timers: NodeJS.Timeout[] = [];
    let settled = false;
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      for (const t of timers) clearTimeout(t);
      opts.signal.removeEventListener('abort', onAbort);
      closeQuietly(socket);
      if (err && replies.length === 0) reject(err);
      else resolve({ replies, dropped });
    };
    const onAbort = () => finish();
    if (opts.signal.aborted) {
      finish();
      return;
    }
    opts.signal.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (err) => finish(err));
    socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
      // A reply from an address we did not ask is not this host's answer (spoofing, NAT, floods).
      if (normalise(rinfo.address) !== address || replies.length >= maxReplies) {
        dropped += 1;
        return;
      }
      replies.push({
        from: rinfo.address,
        port: rinfo.port,
        bytes: Buffer.from(msg.subarray(0, MAX_DATAGRAM)),
      });
      if (opts.done?.(replies)) finish();
    });
    socket.bind(0, () => {
      const repeat = Math.max(1, opts.repeat ?? 1);
      const gap = opts.repeatGapMs ?? 100;
      for (let i = 0; i < repeat; i++) {
        timers.push(
          setTimeout(() => {
            if (!settled) socket.send(payload, port, address, (err) => err && finish(err));
          }, i * gap),
        );
      }
      timer = setTimeout(() => finish(), (repeat - 1) * gap + opts.windowMs);
    });
  });
}

function normalise(a: string): string {
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

export function closeQuietly(socket: Socket): void {
  try {
    socket.close();
  } catch {
    // already closed
  }
}
