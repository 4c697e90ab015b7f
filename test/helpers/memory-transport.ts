/**
 * An in-memory Transport (src/transport/transport.ts) for running a probe without a socket: each
 * host:port is a scripted peer that answers the request with chunks, then closes, resets or says
 * nothing more. The bytes go through the transport's own ReadSession and the probe's stop rule,
 * so what is kept and how the read ends are decided exactly as over TCP; only the socket is
 * simulated. The scope guard is asked first, as the network transport does.
 */
import { readFileSync } from 'node:fs';
import { type Exchange, responseBytes, type TlsInfo } from '../../src/core/exchange.ts';
import { ReadSession, timeoutError } from '../../src/transport/read-session.ts';
import { DEFAULT_IDLE_MS, type TcpExchangeOptions, type TcpExchangeResult } from '../../src/transport/tcp.ts';
import type { Transport } from '../../src/transport/transport.ts';
import type { UdpExchangeOptions, UdpExchangeResult, UdpReply } from '../../src/transport/udp.ts';

export interface MemoryAnswer {
  /** What the peer writes, in order, each piece one read on our side. Strings are Latin-1 (byte for byte). */
  chunks: readonly (string | Buffer)[];
  /** Delay before each piece; 0 (the default) delivers them on consecutive timer ticks. */
  gapMs?: number;
  /** After the last piece: FIN, a reset, or an open connection that never says more. */
  end: 'close' | 'reset' | 'hang';
  /** The certificate a TLS exchange reports. */
  tls?: TlsInfo;
}

/** A TCP peer: the answer to one request (the probe's bytes, as sent). */
export type MemoryPeer = (request: Buffer) => MemoryAnswer;

/** A UDP peer: the datagrams it sends back to one payload. */
export type MemoryUdpPeer = (payload: Buffer) => readonly (string | Buffer)[];

export interface Dial {
  host: string;
  port: number;
  request: Buffer;
  /** How the read ended (the transport's verdict), or the error it threw. */
  ended?: TcpExchangeResult['ended'];
  error?: unknown;
}

export interface MemoryTransport extends Transport {
  /** Every TCP exchange, in order: where it went, what was sent, how the read ended. */
  readonly dials: Dial[];
}

/** Peers are keyed `${address}:${port}`; a TCP port with no peer refuses the connection. */
export function memoryTransport(
  tcp: Record<string, MemoryPeer>,
  udp: Record<string, MemoryUdpPeer> = {},
): MemoryTransport {
  const dials: Dial[] = [];
  return {
    dials,
    async tcpExchange(guard, host, port, request, opts) {
      const address = guard.assert(host);
      if (opts.signal.aborted) throw timeoutError(host, port, opts.signal.reason);
      const payload = typeof request === 'string' ? Buffer.from(request, 'utf8') : request;
      const dial: Dial = { host: address, port, request: payload };
      dials.push(dial);
      const peer = tcp[`${address}:${port}`];
      try {
        if (!peer)
          throw Object.assign(new Error(`connect ECONNREFUSED ${address}:${port}`), { code: 'ECONNREFUSED' });
        const result = await play(peer(payload), payload, { host, port, opts });
        dial.ended = result.ended;
        return result;
      } catch (err) {
        dial.error = err;
        throw err;
      }
    },
    async udpExchange(guard, host, port, payload, opts) {
      const address = guard.assert(host);
      const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
      return collectDatagrams(address, port, udp[`${address}:${port}`]?.(bytes) ?? [], opts);
    },
  };
}

/** The socket side of tcpExchange, on timers: the same ReadSession decides every outcome. */
function play(
  answer: MemoryAnswer,
  payload: Buffer,
  at: { host: string; port: number; opts: TcpExchangeOptions },
): Promise<TcpExchangeResult> {
  const { host, port, opts } = at;
  const gapMs = answer.gapMs ?? 0;
  const timers: NodeJS.Timeout[] = [];
  const read = new ReadSession(opts.stopWhen(payload), {
    host,
    port,
    signal: opts.signal,
    idleMs: opts.idleMs ?? DEFAULT_IDLE_MS,
    cleanup: () => {
      for (const t of timers) clearTimeout(t);
    },
  });
  if (opts.tls && answer.tls) read.tls = answer.tls;
  answer.chunks.forEach((chunk, i) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    timers.push(setTimeout(() => read.receive(bytes), i * gapMs));
  });
  const close = (): void => {
    if (answer.end === 'close') read.peerEnded();
    else if (answer.end === 'reset')
      read.closedOrFailed(
        Object.assign(new Error(`read ECONNRESET from ${host}:${port}`), { code: 'ECONNRESET' }),
      );
  };
  timers.push(setTimeout(close, answer.chunks.length * gapMs));
  return read.result;
}

/** One round of replies from the host asked (a memory peer cannot spoof), within maxReplies and done(). */
function collectDatagrams(
  address: string,
  port: number,
  answers: readonly (string | Buffer)[],
  opts: UdpExchangeOptions,
): UdpExchangeResult {
  const max = opts.maxReplies ?? 32;
  const replies: UdpReply[] = [];
  let dropped = 0;
  for (const answer of answers) {
    if (replies.length >= max) {
      dropped += 1;
      continue;
    }
    replies.push({ from: address, port, bytes: Buffer.from(answer) });
    if (opts.done?.(replies)) break;
  }
  return { replies, dropped };
}

const DEMO_EXCHANGES = new URL('../../fixtures/recorded/demo-exchanges.jsonl', import.meta.url);
let demo: Exchange[] | undefined;

/**
 * The response bytes of an exchange recorded from the lab personas (fixtures/recorded), found by
 * probe id, host and the start of the request (e.g. 'GET / ', 'DESCRIBE ').
 */
export function recordedResponse(probe: string, host: string, requestStart: string): Buffer {
  demo ??= readFileSync(DEMO_EXCHANGES, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Exchange)
    .filter((line) => line.type === 'exchange');
  const ex = demo.find((e) => e.probe === probe && e.host === host && e.request?.startsWith(requestStart));
  if (!ex) throw new Error(`no recorded ${probe} exchange with ${host} starting ${requestStart}`);
  return responseBytes(ex);
}

/** `bytes` cut at the given offsets: one piece per read on our side. */
export function pieces(bytes: Buffer, ...cuts: number[]): Buffer[] {
  const edges = [0, ...cuts, bytes.length];
  return edges.slice(1).map((end, i) => bytes.subarray(edges[i], end));
}
