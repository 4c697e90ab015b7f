/**
 * Raw TCP/TLS exchange with a lenient reader (DEPENDENCIES.md, "HTTP: malformed responses").
 *
 * Cameras send responses that every HTTP client library rejects (no colon, bare LF, two
 * Content-Lengths, truncated heads, RTSP on an HTTP port). We therefore never hand the bytes to
 * a protocol parser here, and know no protocol: the caller's stop rule (stop-when.ts) decides
 * *when to stop reading*, and we return the raw bytes, which a probe's parser interprets later.
 * A fresh socket per exchange, always destroyed, avoids the keep-alive trap of Node's global agent.
 */
import { connect as netConnect, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TlsInfo } from '../core/exchange.ts';
import type { ScopeGuard } from '../core/scope.ts';
import { ReadSession, timeoutError } from './read-session.ts';
import type { StopRule } from './stop-when.ts';
import { openTlsSocket, peerTlsInfo, tlsHandshakeError } from './tls.ts';

export const DEFAULT_IDLE_MS = 1500;

export interface TcpExchangeOptions {
  /** Deadline; aborting ends the socket at once, in any phase (connect, TLS handshake, read). */
  signal: AbortSignal;
  /** TLS with rejectUnauthorized:false; the peer certificate is captured. */
  tls?: boolean;
  /** SNI, sent only when a host name was given (never an IP literal). */
  servername?: string;
  /** When the answer is whole, and how many bytes to keep: firstData, peerClosed or a protocol's framing. */
  stopWhen: StopRule;
  /** After the first byte, stop when nothing arrives for this long. 0 or Infinity: no idle stop. */
  idleMs?: number;
}

export interface TcpExchangeResult {
  /** What the device sent, raw, at most the cap. */
  bytes: Buffer;
  /**
   * complete: the stop rule said so (its framing is satisfied, or the FIN is how its answer ends).
   * peer-closed: FIN or reset before that (truncated body, bytes of another protocol, …).
   * limit: the cap was reached. idle: nothing arrived for idleMs. timeout-partial: the signal
   * aborted after some bytes.
   */
  ended: 'complete' | 'peer-closed' | 'limit' | 'idle' | 'timeout-partial';
  tls?: TlsInfo;
  /** TCP connect time in ms (the TLS handshake is not included). */
  connectMs: number;
}

/**
 * Connects (through guard.assert(host)), writes `request` (may be empty: just read the banner),
 * reads until the stop rule, the cap, idleness, FIN or the signal ends it. Throws only when
 * nothing was read: the socket error (ECONNREFUSED, ECONNRESET, …), a TimeoutError (code
 * ETIMEDOUT) when the signal aborts first, or a CamsweepError PROTOCOL_MISMATCH/PROTOCOL_ERROR
 * when the TLS handshake fails. Errors thrown after a completed handshake carry the certificate
 * (see tlsInfoFromError). String requests are sent as UTF-8.
 */
export async function tcpExchange(
  guard: ScopeGuard,
  host: string,
  port: number,
  request: string | Buffer,
  opts: TcpExchangeOptions,
): Promise<TcpExchangeResult> {
  // The guard runs before anything touches the network; a refusal throws OUT_OF_SCOPE here.
  const address = guard.assert(host);
  if (opts.signal.aborted) throw timeoutError(host, port, opts.signal.reason);
  const payload = typeof request === 'string' ? Buffer.from(request, 'utf8') : request;
  const useTls = opts.tls === true;
  const socket = useTls ? openTlsSocket(address, port, opts.servername) : netConnect({ host: address, port });
  return readSocket(socket, { host, port, payload, useTls, opts });
}

interface ReadPlan {
  host: string;
  port: number;
  payload: Buffer;
  useTls: boolean;
  opts: TcpExchangeOptions;
}

/** Writes the payload once connected (after the handshake for TLS) and collects the answer. */
function readSocket(socket: Socket, plan: ReadPlan): Promise<TcpExchangeResult> {
  const { host, port, payload, useTls, opts } = plan;
  const started = performance.now();
  let handshakeDone = !useTls;
  const read = new ReadSession(opts.stopWhen(payload), {
    host,
    port,
    signal: opts.signal,
    idleMs: opts.idleMs ?? DEFAULT_IDLE_MS,
    cleanup: () => socket.destroy(),
  });
  // The only 'error' listener: stays attached after settling, so a late error cannot crash.
  socket.on('error', (err: Error) => {
    if (!handshakeDone) read.fail(tlsHandshakeError(err, host, port));
    else read.closedOrFailed(err);
  });
  socket.once('connect', () => {
    read.connectMs = elapsed(started);
    socket.setNoDelay(true);
    if (!useTls && payload.length > 0) socket.write(payload);
  });
  if (useTls) {
    socket.once('secureConnect', () => {
      handshakeDone = true;
      read.tls = peerTlsInfo(socket as TLSSocket);
      if (payload.length > 0) socket.write(payload);
    });
  }
  socket.on('data', (chunk: Buffer) => read.receive(chunk));
  socket.on('end', () => {
    if (handshakeDone) read.peerEnded(); // before the handshake, the TLS layer reports an ECONNRESET error
  });
  socket.on('close', () => {
    // Reached when the socket closed without 'end' or 'error' (e.g. destroyed underneath us).
    if (!read.done)
      read.closedOrFailed(
        Object.assign(new Error(`connection to ${host}:${port} closed`), { code: 'ECONNRESET' }),
      );
  });
  return read.result;
}

/** Plain connect test for the port sweep: resolves when open, throws the socket error otherwise. */
export async function tcpConnect(
  guard: ScopeGuard,
  host: string,
  port: number,
  signal: AbortSignal,
): Promise<{ connectMs: number }> {
  const address = guard.assert(host);
  if (signal.aborted) throw timeoutError(host, port, signal.reason);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = netConnect({ host: address, port });
    let settled = false;
    const done = (err: unknown, connectMs?: number): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (connectMs === undefined) reject(err);
      else resolve({ connectMs });
    };
    function onAbort(): void {
      done(timeoutError(host, port, signal.reason));
    }
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (err) => done(err));
    socket.once('connect', () => done(undefined, elapsed(started)));
  });
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
