import type { Observation } from '../../core/observation.ts';
import type { NeighbourEntry } from '../../transport/neighbour.ts';
import type { HostJob } from '../host-job.ts';
import type { HostState } from '../sweep-types.ts';

/**
 * Closing: the host's exchanges leave the sweep's keeping, the neighbour table adds its MAC, and
 * the host is counted and, when live, reported.
 */
export async function closeHost(job: HostJob): Promise<void> {
  const { run, host } = job;
  const { opts, stats } = run;
  const exchanges = run.exchanges.get(host) ?? [];
  run.exchanges.delete(host);
  const neighbour =
    job.local && exchanges.length > 0 ? (await run.neighbours.after(Date.now())).get(host) : undefined;
  const observations = macObservations(host, neighbour);
  run.rate.forget(host);
  // A host that only refused connections exists, but offers nothing to identify.
  const state: HostState =
    exchanges.length > 0 ? 'live' : job.untested && !job.responded ? 'untested' : 'absent';
  if (state === 'live') stats.live += 1;
  if (state === 'untested') stats.untested += 1;
  stats.addressesDone += 1;
  opts.onProgress?.(stats.addressesDone);
  opts.onHostDone?.(host, state, Date.now() - job.started);
  if (state !== 'live') return;
  try {
    opts.onHost({ host, state, openPorts: job.open, exchanges, observations, outcomes: job.outcomes });
  } catch (err) {
    // A reporting failure for one host must not end the sweep for all the others.
    opts.onHostError?.(host, err);
  }
}

/** The MAC the kernel's neighbour table holds for the host, once its entry is complete. */
function macObservations(host: string, neighbour: NeighbourEntry | undefined): Observation[] {
  if (!neighbour?.complete) return [];
  return [{ type: 'observation', host, field: 'mac.address', value: neighbour.mac, probe: 'neighbour' }];
}
