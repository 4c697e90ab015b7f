import { setMaxListeners } from 'node:events';
import { startMulticastPhase } from './phases/multicast.ts';
import { sweepHost } from './sweep-host.ts';
import { createSweepRun } from './sweep-run.ts';
import type { SweepOptions, SweepStats } from './sweep-types.ts';

export type { HostResult, HostState, SweepOptions, SweepStats } from './sweep-types.ts';

/**
 * Sweeps the targets: multicast discovery (phase 1) runs beside a pool of workers that each take
 * one address at a time through the host phases (src/engine/sweep-host.ts).
 */
export async function sweep(opts: SweepOptions): Promise<SweepStats> {
  // Thousands of probes listen on the one sweep signal; that is by design, not a leak.
  setMaxListeners(0, opts.signal);
  const run = createSweepRun(opts);
  const multicast = startMulticastPhase(run);
  // A fixed set of workers pulls addresses from the lazy generator: a /16 never sits in memory.
  const iterator = opts.targets.addresses();
  const workers = Math.max(1, Math.min(opts.concurrency, 4096));
  const worker = async () => {
    while (!opts.signal.aborted) {
      const next = iterator.next();
      if (next.done) return;
      await sweepHost(run, multicast, next.value);
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  await multicast.done;
  run.stats.complete = !opts.signal.aborted;
  return run.stats;
}
