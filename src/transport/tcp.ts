/**
 * Raw TCP/TLS exchange with a lenient reader (DEPENDENCIES.md, "HTTP: malformed responses").
 *
 * Cameras send responses that every HTTP client library rejects (no colon, bare LF, two
 * Content-Lengths, truncated heads, RTSP on an HTTP port). We therefore never hand the bytes to
 * an HTTP parser here: we only decide *when to stop reading* and return the raw bytes, which
 * probes/http/parse.ts (or another protocol parser) interprets later. A fresh socket per
 * exchange, always destroyed, avoids the keep-alive trap of Node's global agent.
 */
import type { X509Certificate } from 'node:crypto';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from 'node:tls';
import { CamsweepError } from '../core/errors.ts';
import type { TlsInfo } from '../core/exchange.ts';
import type { ScopeGuard } from '../core/scope.ts';

/** Body bytes kept after the head when the caller does not say otherwise. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/** Head bytes allowed on top of maxBytes; a head that never ends still stops here. */
export const MAX_HEAD_BYTES = 16 * 1024;
export const DEFAULT_IDLE_MS = 1500;
/** A chunk-size line longer than this is not chunked framing, whatever the header says. */
const MAX_CHUNK_LINE = 1024;

export interface TcpExchangeOptions {
  /** Deadline; aborting ends the socket at once, in any phase (connect, TLS handshake, read). */
  signal: AbortSignal;
  /** TLS with rejectUnauthorized:false; the peer certificate is captured. */
  tls?: boolean;
  /** SNI, sent only when a host name was given (never an IP literal). */
  servername?: string;
  /**
   * 'http-complete': body bytes kept after the head (the head may add up to MAX_HEAD_BYTES).
   * 'first-data' / 'close': total bytes kept. Default 64 KiB.
   */
  maxBytes?: number;
  stopWhen?: 'http-complete' | 'first-data' | 'close';
  /** After the first byte, stop when nothing arrives for this long. 0 or Infinity: no idle stop. */
  idleMs?: number;
}

export interface TcpExchangeResult {
  /** What the device sent, raw, at most the cap. */
  bytes: Buffer;
  /**
   * complete: the stop condition held (HTTP framing satisfied, including "no length, then FIN";
   *   the first data in 'first-data'; FIN in 'close').
   * peer-closed: FIN or reset before the condition held (truncated body, non-HTTP bytes, …).
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
 * reads per the options. Throws only when nothing was read: the socket error (ECONNREFUSED,
 * ECONNRESET, …), a TimeoutError (code ETIMEDOUT) when the signal aborts first, or a
 * CamsweepError PROTOCOL_MISMATCH/PROTOCOL_ERROR when the TLS handshake fails. Errors thrown
 * after a completed handshake carry the certificate (see tlsInfoFromError).
 * String requests are sent as UTF-8.
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
  const { signal } = opts;
  if (signal.aborted) throw timeoutError(host, port, signal.reason);

  const stopWhen = opts.stopWhen ?? 'http-complete';
  const maxBytes = sanitiseCount(opts.maxBytes, DEFAULT_MAX_BODY_BYTES);
  const idleMs = opts.idleMs ?? DEFAULT_IDLE_MS;
  const payload = typeof request === 'string' ? Buffer.from(request, 'utf8') : request;
  const collector = new Collector(stopWhen, maxBytes, isHeadRequest(payload));
  const useTls = opts.tls === true;

  return new Promise<TcpExchangeResult>((resolve, reject) => {
    const started = performance.now();
    let connectMs = 0;
    let tlsInfo: TlsInfo | undefined;
    let handshakeDone = !useTls;
    let idleTimer: NodeJS.Timeout | undefined;
    let settled = false;

    const socket = openSocket(address, port, useTls, opts.servername);

    const cleanup = (): void => {
      settled = true;
      if (idleTimer) clearTimeout(idleTimer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
    };
    const finish = (ended: TcpExchangeResult['ended']): void => {
      if (settled) return;
      cleanup();
      const result: TcpExchangeResult = { bytes: collector.bytes(), ended, connectMs };
      if (tlsInfo) result.tls = tlsInfo;
      resolve(result);
    };
    const fail = (err: unknown): void => {
      if (settled) return;
      cleanup();
      reject(tlsInfo ? withTlsInfo(err, tlsInfo) : err);
    };
    /** Once bytes arrived, a reset or close is a data outcome, not a failure. */
    const closedOrFailed = (err: unknown): void => {
      if (collector.length > 0) finish(collector.endedOnClose());
      else fail(err);
    };

    function onAbort(): void {
      if (collector.length > 0) finish('timeout-partial');
      else fail(timeoutError(host, port, signal.reason));
    }
    signal.addEventListener('abort', onAbort, { once: true });

    // The only 'error' listener: stays attached after settling, so a late error cannot crash.
    socket.on('error', (err: Error) => {
      if (!handshakeDone) fail(tlsHandshakeError(err, host, port));
      else closedOrFailed(err);
    });
    socket.once('connect', () => {
      connectMs = elapsed(started);
      socket.setNoDelay(true);
      if (!useTls && payload.length > 0) socket.write(payload);
    });
    if (useTls) {
      socket.once('secureConnect', () => {
        handshakeDone = true;
        tlsInfo = peerTlsInfo(socket as TLSSocket);
        if (payload.length > 0) socket.write(payload);
      });
    }
    socket.on('data', (chunk: Buffer) => {
      if (settled) return;
      const state = collector.push(chunk);
      if (state !== 'more') {
        finish(state);
        return;
      }
      if (idleTimer) idleTimer.refresh();
      else if (idleMs > 0 && Number.isFinite(idleMs)) idleTimer = setTimeout(() => finish('idle'), idleMs);
    });
    socket.on('end', () => {
      if (!handshakeDone) return; // the TLS layer reports this as an ECONNRESET error
      if (collector.length > 0) finish(collector.endedOnClose());
      // A clean FIN with nothing said is an answer ("no banner"), not a connection failure.
      else finish('peer-closed');
    });
    socket.on('close', () => {
      // Reached when the socket closed without 'end' or 'error' (e.g. destroyed underneath us).
      if (!settled)
        closedOrFailed(
          Object.assign(new Error(`connection to ${host}:${port} closed`), { code: 'ECONNRESET' }),
        );
    });
  });
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

/** The certificate captured before a post-handshake failure, if any. */
export function tlsInfoFromError(err: unknown): TlsInfo | undefined {
  if (err && typeof err === 'object' && 'tls' in err) {
    const info = err.tls;
    if (info && typeof info === 'object' && 'subject' in info) return info as TlsInfo;
  }
  return undefined;
}

/**
 * Subject/issuer as OpenSSL's `-nameopt RFC2253` prints them: most specific RDN first, values
 * escaped per RFC 2253. Node prints one RDN per line in certificate order (already escaped,
 * multi-valued RDNs joined by " + "), so we only reverse and re-join.
 */
export function formatCertificate(cert: X509Certificate): TlsInfo {
  const info: TlsInfo = { subject: rfc2253(cert.subject), issuer: rfc2253(cert.issuer) };
  if (cert.serialNumber) info.serial = cert.serialNumber.toLowerCase();
  info.sha256 = cert.fingerprint256.replaceAll(':', '').toLowerCase();
  info.validFrom = isoDate(cert.validFrom);
  info.validTo = isoDate(cert.validTo);
  return info;
}

// ---------------------------------------------------------------------------------------------

function openSocket(address: string, port: number, useTls: boolean, servername: string | undefined): Socket {
  if (!useTls) return netConnect({ host: address, port });
  const options: ConnectionOptions = {
    host: address,
    port,
    rejectUnauthorized: false,
    // Old cameras speak TLS 1.0 with weak ciphers. We only read a certificate and a banner and
    // send nothing secret, so we accept what the device offers rather than fail the handshake.
    minVersion: 'TLSv1',
    ciphers: 'DEFAULT:@SECLEVEL=0',
  };
  // Node rejects IP literals as SNI (RFC 6066), and a device reached by address gets no SNI.
  if (servername && isIP(servername) === 0) options.servername = servername;
  return tlsConnect(options);
}

function peerTlsInfo(socket: TLSSocket): TlsInfo | undefined {
  try {
    const cert = socket.getPeerX509Certificate();
    return cert ? formatCertificate(cert) : undefined;
  } catch {
    // A certificate Node cannot represent is a data problem; the exchange still goes on.
    return undefined;
  }
}

function rfc2253(name: string): string {
  return name
    .split('\n')
    .filter((rdn) => rdn.length > 0)
    .reverse()
    .map((rdn) => rdn.split(' + ').reverse().join('+'))
    .join(',');
}

function isoDate(openssl: string): string {
  const date = new Date(openssl);
  return Number.isNaN(date.getTime()) ? openssl : date.toISOString();
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

function sanitiseCount(value: number | undefined, fallback: number): number {
  if (value === undefined || !Number.isFinite(value) || value < 0) return fallback;
  return Math.floor(value);
}

function isHeadRequest(payload: Buffer): boolean {
  return payload.subarray(0, 5).toString('latin1').toUpperCase() === 'HEAD ';
}

/** classify() maps name TimeoutError (and code ETIMEDOUT) to connection-timeout. */
function timeoutError(host: string, port: number, reason: unknown): Error {
  const err = Object.assign(
    new Error(`no data from ${host}:${port} before the deadline`, { cause: reason }),
    {
      code: 'ETIMEDOUT',
    },
  );
  err.name = 'TimeoutError';
  return err;
}

function withTlsInfo(err: unknown, tls: TlsInfo): unknown {
  if (err && typeof err === 'object') Object.assign(err, { tls });
  return err;
}

/**
 * OpenSSL failures before the handshake completes. Bytes that are not TLS at all (plain HTTP on
 * a TLS port) are a protocol mismatch; a TLS alert means the device speaks TLS but refused us,
 * which is a protocol error. Socket-level errors (reset, refused) pass through unchanged.
 */
function tlsHandshakeError(err: Error, host: string, port: number): unknown {
  const code = 'code' in err && typeof err.code === 'string' ? err.code : '';
  if (code !== 'EPROTO' && !code.startsWith('ERR_SSL_')) return err;
  const kind = code.includes('ALERT') ? 'PROTOCOL_ERROR' : 'PROTOCOL_MISMATCH';
  const wrapped = new CamsweepError(kind, `TLS handshake with ${host}:${port} failed: ${code}`, {
    host,
    port,
    code,
  });
  wrapped.cause = err;
  return wrapped;
}

// ---------------------------------------------------------------------------------------------

type Framing =
  | { kind: 'length'; end: number }
  | { kind: 'chunked'; pos: number }
  /** Read to FIN. `proper` when that is the response's real framing (HTTP with no length). */
  | { kind: 'close'; proper: boolean }
  | { kind: 'none' };

const LF = 0x0a;
const CR = 0x0d;

/**
 * Accumulates bytes into one growing buffer (never more than the cap, so memory stays bounded
 * for a 10 MB or endless response) and decides when an HTTP/RTSP response is complete. This is
 * framing only: it looks at Content-Length and Transfer-Encoding, nothing else.
 */
class Collector {
  private buf = Buffer.alloc(0);
  length = 0;
  private headStart = -1;
  private headEnd = -1;
  private headSearchFrom = 0;
  private framing: Framing | undefined;

  constructor(
    private readonly mode: 'http-complete' | 'first-data' | 'close',
    private readonly maxBytes: number,
    private readonly headRequest: boolean,
  ) {}

  private limit(): number {
    if (this.mode !== 'http-complete') return this.maxBytes;
    const head = this.headEnd >= 0 ? Math.min(this.headEnd, MAX_HEAD_BYTES) : MAX_HEAD_BYTES;
    return head + this.maxBytes;
  }

  bytes(): Buffer {
    return Buffer.from(this.view());
  }

  /** The filled part only: searches must not run into the unused tail of the buffer. */
  private view(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  push(chunk: Buffer): 'more' | 'complete' | 'limit' {
    this.append(chunk);
    if (this.mode === 'first-data') return 'complete';
    if (this.mode === 'http-complete') {
      if (this.headEnd < 0) {
        const end = this.findHead();
        if (end >= 0) {
          this.headEnd = end;
          this.framing = decideFraming(
            this.buf.toString('latin1', this.headStart, end),
            end,
            this.headRequest,
          );
        }
      }
      // The cap shrinks once the head length is known; drop what lies beyond it.
      this.length = Math.min(this.length, this.limit());
      if (this.headEnd >= 0 && this.isComplete()) return 'complete';
    }
    if (this.length >= this.limit()) return 'limit';
    return 'more';
  }

  endedOnClose(): 'complete' | 'peer-closed' {
    if (this.mode === 'close') return 'complete';
    if (this.mode === 'http-complete' && this.framing?.kind === 'close' && this.framing.proper)
      return 'complete';
    return 'peer-closed';
  }

  private append(chunk: Buffer): void {
    const room = this.limit() - this.length;
    const take = Math.min(room, chunk.length);
    if (take <= 0) return;
    if (this.length + take > this.buf.length) {
      // Grow by doubling, but never past the cap.
      const size = Math.min(this.limit(), Math.max(this.length + take, this.buf.length * 2, 4096));
      const next = Buffer.allocUnsafe(size);
      this.buf.copy(next, 0, 0, this.length);
      this.buf = next;
    }
    chunk.copy(this.buf, this.length, 0, take);
    this.length += take;
  }

  /**
   * Finds the blank line ending the head: LF LF or LF CR LF, so bare-LF devices work too.
   * Returns the offset just past it, or -1 while it has not arrived.
   */
  private findHead(): number {
    const buf = this.view();
    if (this.headStart < 0) {
      // Stray line ends before the status line are skipped, not taken as an empty head.
      let i = 0;
      while (i < this.length && (buf[i] === CR || buf[i] === LF)) i++;
      if (i === this.length) return -1;
      this.headStart = i;
      this.headSearchFrom = i;
    }
    let i = this.headSearchFrom;
    while (i < this.length) {
      const lf = buf.indexOf(LF, i);
      if (lf < 0) {
        this.headSearchFrom = this.length;
        return -1;
      }
      if (lf + 1 >= this.length) break;
      if (buf[lf + 1] === LF) return lf + 2;
      if (buf[lf + 1] === CR) {
        if (lf + 2 >= this.length) break;
        if (buf[lf + 2] === LF) return lf + 3;
      }
      i = lf + 1;
    }
    // Resume at the LF we could not judge yet.
    this.headSearchFrom = Math.max(this.headStart, i);
    return -1;
  }

  private isComplete(): boolean {
    const framing = this.framing;
    if (!framing) return false;
    switch (framing.kind) {
      case 'none':
        return true;
      case 'length':
        return this.length >= framing.end;
      case 'close':
        return false;
      case 'chunked':
        return this.scanChunks(framing);
    }
  }

  /** Walks chunk headers from where the last call stopped; true once the last chunk and trailers are in. */
  private scanChunks(framing: { kind: 'chunked'; pos: number }): boolean {
    const buf = this.view();
    for (;;) {
      const lf = buf.indexOf(LF, framing.pos);
      if (lf < 0) {
        if (this.length - framing.pos > MAX_CHUNK_LINE) this.framing = { kind: 'close', proper: false };
        return false;
      }
      const line = buf.toString('latin1', framing.pos, lf);
      const size = chunkSize(line);
      if (size === undefined) {
        // Not chunked after all (bad_chunk): stop interpreting and read until the peer closes.
        this.framing = { kind: 'close', proper: false };
        return false;
      }
      if (size === 0) return this.trailersEnd(lf + 1);
      const dataEnd = lf + 1 + size;
      if (dataEnd >= this.length) return false;
      if (buf[dataEnd] === LF) framing.pos = dataEnd + 1;
      else if (buf[dataEnd] === CR) {
        if (dataEnd + 1 >= this.length) return false;
        if (buf[dataEnd + 1] !== LF) {
          this.framing = { kind: 'close', proper: false };
          return false;
        }
        framing.pos = dataEnd + 2;
      } else {
        this.framing = { kind: 'close', proper: false };
        return false;
      }
    }
  }

  /** After the last chunk: trailer lines, then an empty line. */
  private trailersEnd(from: number): boolean {
    const buf = this.view();
    let pos = from;
    for (;;) {
      const lf = buf.indexOf(LF, pos);
      if (lf < 0) return false;
      const empty = lf === pos || (lf === pos + 1 && buf[pos] === CR);
      if (empty) return true;
      pos = lf + 1;
    }
  }
}

function chunkSize(line: string): number | undefined {
  const token = (line.split(';', 1)[0] ?? '').trim();
  if (!/^[0-9a-fA-F]{1,12}$/.test(token)) return undefined;
  return Number.parseInt(token, 16);
}

const STATUS_LINE = /^(HTTP|RTSP)\/\d+(?:\.\d+)?[ \t]+(\d{3})(?![0-9])/i;

/**
 * Framing from a head, as lenient as the parser: header names are trimmed, so
 * `Content-Length : 5` counts. Conflicting lengths are not guessed: we read to FIN instead.
 */
function decideFraming(head: string, headEnd: number, headRequest: boolean): Framing {
  const lines = head.split('\n');
  const status = STATUS_LINE.exec((lines[0] ?? '').replace(/\r$/, ''));
  if (!status) return { kind: 'close', proper: false };
  const rtsp = (status[1] ?? '').toUpperCase() === 'RTSP';
  const code = Number(status[2]);
  // 1xx is followed by the real response; we keep reading and let idle or FIN end it.
  if (code < 200) return { kind: 'close', proper: false };
  if (headRequest || code === 204 || code === 304) return { kind: 'none' };

  const lengths = new Set<string>();
  let chunked = false;
  for (const raw of lines.slice(1)) {
    const colon = raw.indexOf(':');
    if (colon <= 0) continue;
    const name = raw.slice(0, colon).trim().toLowerCase();
    const value = raw.slice(colon + 1).trim();
    if (name === 'transfer-encoding') chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
    else if (name === 'content-length') for (const part of value.split(',')) lengths.add(part.trim());
  }
  // Transfer-Encoding wins over Content-Length (RFC 9112 §6.3).
  if (chunked) return { kind: 'chunked', pos: headEnd };
  if (lengths.size === 1) {
    const [only = ''] = lengths;
    if (/^\d{1,15}$/.test(only)) return { kind: 'length', end: headEnd + Number(only) };
  }
  if (lengths.size > 0) return { kind: 'close', proper: false };
  // RTSP without Content-Length has no body (RFC 2326 §12.14), and RTSP servers keep the
  // connection open, so waiting for FIN would only end at the deadline.
  if (rtsp) return { kind: 'none' };
  return { kind: 'close', proper: true };
}
