import type { Exchange } from '../core/exchange.ts';
import type { ProbeOutcome, ProbeSettings } from '../probes/types.ts';
import { localSegmentTest, NeighbourSnapshots } from '../transport/neighbour.ts';
import { AdaptiveLimit, HostRate, sleep } from './limits.ts';
import type { SweepOptions, SweepStats } from './sweep-types.ts';

/** What every host job of one sweep shares: its options, counters, limits and unreported exchanges. */
export interface SweepRun {
  readonly opts: SweepOptions;
  readonly stats: SweepStats;
  /** Global cap on connections in flight; shrinks when the kernel runs short of resources. */
  readonly connections: AdaptiveLimit;
  readonly neighbours: NeighbourSnapshots;
  /** Whether an address is on a directly attached segment (so ARP decides whether it exists). */
  readonly isLocal: (address: string) => boolean;
  readonly rate: HostRate;
  /**
   * Exchanges not yet reported, by the address they were recorded for. Sweep-wide rather than per
   * job because a follow-up records under the address it dialled, which need not be the job's host.
   */
  readonly exchanges: Map<string, Exchange[]>;
}

/** Retries of one connect or probe the kernel refused (EMFILE, ENOBUFS) before giving up. */
export const MAX_RETRIES = 5;

export function createSweepRun(opts: SweepOptions): SweepRun {
  return {
    opts,
    stats: {
      addressesDone: 0,
      live: 0,
      untested: 0,
      outOfScope: 0,
      pressureEvents: 0,
      statuses: {},
      complete: false,
      multicastMs: 0,
    },
    connections: new AdaptiveLimit(opts.concurrency),
    neighbours: new NeighbourSnapshots(),
    // Interfaces do not change during a sweep; looking them up per host cost 3% of a /16's CPU.
    isLocal: localSegmentTest(),
    rate: new HostRate(opts.ratePerHost),
    exchanges: new Map(),
  };
}

/** Opt-in probes run only when asked for; any probe can be switched off. */
export function isEnabled(probe: { id: string; optIn?: boolean }, settings: ProbeSettings): boolean {
  if (settings.disabled.has(probe.id)) return false;
  return !probe.optIn || settings.enabled.has(probe.id);
}

/** Counts a probe outcome by status and passes it on. */
export function reportOutcome(run: SweepRun, o: ProbeOutcome): void {
  run.stats.statuses[o.status] = (run.stats.statuses[o.status] ?? 0) + 1;
  if (o.status === 'out-of-scope') run.stats.outOfScope += 1;
  run.opts.onOutcome?.(o);
}

export function exchangesOf(run: SweepRun, host: string): Exchange[] {
  let list = run.exchanges.get(host);
  if (!list) {
    list = [];
    run.exchanges.set(host, list);
  }
  return list;
}

/** Keeps an exchange for the host's result and passes it on as it happens (for --record). */
export function recordExchange(run: SweepRun, host: string, ex: Exchange): void {
  exchangesOf(run, host).push(ex);
  run.opts.onExchange?.(ex);
}

/** The kernel ran short (EMFILE, ENOBUFS, a full neighbour table): fewer connections, then a pause. */
export async function backOff(run: SweepRun, attempt: number, signal: AbortSignal): Promise<void> {
  run.connections.pressure();
  run.stats.pressureEvents += 1;
  await sleep(100 * 2 ** attempt + Math.random() * 100, signal);
}
