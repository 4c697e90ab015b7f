import type { TlsInfo } from '../core/exchange.ts';
import { Collector } from './collector.ts';
import type { StopWhen } from './stop-when.ts';
import type { TcpExchangeResult } from './tcp.ts';

export interface ReadSessionOptions {
  host: string;
  port: number;
  signal: AbortSignal;
  /** After the first byte, stop when nothing arrives for this long. 0 or Infinity: no idle stop. */
  idleMs: number;
  /** Runs once when the read settles, whichever way (destroy the socket, clear timers). */
  cleanup(): void;
}

/**
 * One TCP read's outcome, whatever delivers the bytes (a socket, or a test's scripted peer): the
 * bytes kept, the stop rule's verdict, idleness, the deadline, and what a close or an error means
 * before and after the first byte. Settles exactly once; later events are ignored.
 */
export class ReadSession {
  readonly result: Promise<TcpExchangeResult>;
  connectMs = 0;
  tls: TlsInfo | undefined;
  private readonly collector: Collector;
  private idleTimer: NodeJS.Timeout | undefined;
  private settled = false;
  private resolve!: (result: TcpExchangeResult) => void;
  private reject!: (err: unknown) => void;

  constructor(
    rule: StopWhen,
    private readonly opts: ReadSessionOptions,
  ) {
    this.collector = new Collector(rule);
    this.result = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    opts.signal.addEventListener('abort', this.onAbort, { once: true });
  }

  get done(): boolean {
    return this.settled;
  }

  receive(chunk: Buffer): void {
    if (this.settled) return;
    const state = this.collector.push(chunk);
    if (state !== 'more') {
      this.finish(state);
      return;
    }
    const { idleMs } = this.opts;
    if (this.idleTimer) this.idleTimer.refresh();
    else if (idleMs > 0 && Number.isFinite(idleMs))
      this.idleTimer = setTimeout(() => this.finish('idle'), idleMs);
  }

  /** A clean FIN. With nothing said it is still an answer ("no banner"), not a connection failure. */
  peerEnded(): void {
    this.finish(this.collector.length > 0 ? this.collector.endedOnClose() : 'peer-closed');
  }

  /** Once bytes arrived, a reset or close is a data outcome, not a failure. */
  closedOrFailed(err: unknown): void {
    if (this.collector.length > 0) this.finish(this.collector.endedOnClose());
    else this.fail(err);
  }

  fail(err: unknown): void {
    if (!this.settle()) return;
    this.reject(this.tls ? withTlsInfo(err, this.tls) : err);
  }

  private finish(ended: TcpExchangeResult['ended']): void {
    if (!this.settle()) return;
    const result: TcpExchangeResult = { bytes: this.collector.bytes(), ended, connectMs: this.connectMs };
    if (this.tls) result.tls = this.tls;
    this.resolve(result);
  }

  private readonly onAbort = (): void => {
    const { host, port, signal } = this.opts;
    if (this.collector.length > 0) this.finish('timeout-partial');
    else this.fail(timeoutError(host, port, signal.reason));
  };

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.opts.signal.removeEventListener('abort', this.onAbort);
    this.opts.cleanup();
    return true;
  }
}

/**
 * The error of a deadline that fell before any byte came; classify() maps name TimeoutError (and
 * code ETIMEDOUT) to connection-timeout.
 */
export function timeoutError(host: string, port: number, reason: unknown): Error {
  const err = Object.assign(
    new Error(`no data from ${host}:${port} before the deadline`, { cause: reason }),
    {
      code: 'ETIMEDOUT',
    },
  );
  err.name = 'TimeoutError';
  return err;
}

/** Attaches the certificate to an error thrown after the handshake (read by tlsInfoFromError). */
function withTlsInfo(err: unknown, tls: TlsInfo): unknown {
  if (err && typeof err === 'object') Object.assign(err, { tls });
  return err;
}
