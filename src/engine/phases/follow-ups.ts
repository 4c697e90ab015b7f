import { FOLLOW_UP_PROBES } from '../../probes/index.ts';
import type { ProbeOutcome } from '../../probes/types.ts';
import type { HostJob } from '../host-job.ts';
import { isEnabled, reportOutcome } from '../sweep-run.ts';
import { runProbe } from './probes.ts';

/**
 * Follow-ups, one at a time: every advertised address passes the scope guard before anything is
 * dialled, and each (probe, URL) pair is dialled once per host.
 */
export async function runFollowUps(job: HostJob): Promise<void> {
  const { run, host, signal } = job;
  const seen = new Set<string>();
  for (const f of job.followUps) {
    if (signal.aborted) break;
    const probe = FOLLOW_UP_PROBES[f.probe];
    if (!probe || !isEnabled(probe, run.opts.settings)) continue;
    const decision = run.opts.guard.checkUrl(f.url);
    if (!decision.allowed) {
      const o: ProbeOutcome = {
        probe: probe.id,
        host,
        status: 'out-of-scope',
        detail: `${f.url} not dialled: ${decision.reason}`,
      };
      reportOutcome(run, o);
      job.outcomes.push(o);
      continue;
    }
    const key = `${f.probe} ${f.url}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const target = { host: decision.address, ...(f.url ? { url: f.url } : {}) };
    job.outcomes.push(await runProbe(run, probe, target, signal));
  }
}
