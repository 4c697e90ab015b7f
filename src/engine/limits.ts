import pLimit, { type LimitFunction } from 'p-limit';

/**
 * A global connection cap that shrinks when the kernel pushes back (EMFILE, ENOBUFS, a full
 * neighbour table) and grows back slowly while things go well: additive increase,
 * multiplicative decrease, as TCP does for the same reason.
 */
export class AdaptiveLimit {
  readonly max: number;
  readonly min: number;
  private readonly limit: LimitFunction;
  private successes = 0;
  private lastCut = 0;
  pressureEvents = 0;

  constructor(max: number, min = Math.min(16, max)) {
    this.max = max;
    this.min = Math.max(1, min);
    this.limit = pLimit(max);
  }

  get current(): number {
    return this.limit.concurrency;
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.limit(fn);
  }

  /** The kernel refused to try: halve the cap (at most once per 500 ms, so one burst cuts once). */
  pressure(): void {
    this.pressureEvents += 1;
    const now = Date.now();
    if (now - this.lastCut < 500) return;
    this.lastCut = now;
    this.limit.concurrency = Math.max(this.min, Math.floor(this.limit.concurrency / 2));
    this.successes = 0;
  }

  success(): void {
    if (this.limit.concurrency >= this.max) return;
    this.successes += 1;
    if (this.successes >= this.limit.concurrency) {
      this.successes = 0;
      this.limit.concurrency = Math.min(
        this.max,
        this.limit.concurrency + Math.max(1, Math.floor(this.max / 32)),
      );
    }
  }
}

/** Per-host politeness: at most `perSecond` new connections per second to any one host. */
export class HostRate {
  private readonly interval: number;
  private readonly next = new Map<string, number>();

  constructor(perSecond: number) {
    this.interval = perSecond > 0 ? 1000 / perSecond : 0;
  }

  async take(host: string, signal?: AbortSignal): Promise<void> {
    if (this.interval === 0) return;
    const now = Date.now();
    const at = Math.max(now, this.next.get(host) ?? now);
    this.next.set(host, at + this.interval);
    const wait = at - now;
    if (wait > 0) await sleep(wait, signal);
  }

  forget(host: string): void {
    this.next.delete(host);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
