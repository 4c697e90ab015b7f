import type { Exchange } from '../../core/exchange.ts';
import { MULTICAST_DISCOVERY } from '../../probes/index.ts';
import { runMulticastDiscovery } from '../discovery.ts';
import { isEnabled, reportOutcome, type SweepRun } from '../sweep-run.ts';

/** Phase 1, shared by every host job: what multicast discovery heard, by host, and when it is over. */
export interface MulticastPhase {
  readonly byHost: ReadonlyMap<string, readonly Exchange[]>;
  readonly done: Promise<void>;
}

/**
 * Phase 1: multicast discovery runs while the connect sweep starts; hosts wait for it before
 * they are reported, so one device's multicast and unicast evidence meet.
 */
export function startMulticastPhase(run: SweepRun): MulticastPhase {
  const { opts } = run;
  const byHost = new Map<string, Exchange[]>();
  const discoveries = MULTICAST_DISCOVERY.filter((d) => isEnabled(d, opts.settings));
  const started = Date.now();
  const done = Promise.all(
    discoveries.map(async (d) => {
      const r = await runMulticastDiscovery(d, opts.interfaces, opts.guard, {
        signal: opts.signal,
        windowMs: opts.multicastWindowMs,
      });
      for (const ex of r.exchanges) {
        opts.onExchange?.(ex);
        const list = byHost.get(ex.host) ?? [];
        list.push(ex);
        byHost.set(ex.host, list);
      }
      for (const from of r.outOfScope) {
        reportOutcome(run, {
          probe: d.id,
          host: from,
          status: 'out-of-scope',
          detail: 'responder is not in the targets',
        });
      }
    }),
  ).then(() => {
    if (opts.interfaces.length > 0 && discoveries.length > 0) run.stats.multicastMs = Date.now() - started;
  });
  return { byHost, done };
}
