import { classify } from '../../core/status.ts';
import { HOST_PROBES, SERVICE_PROBES } from '../../probes/index.ts';
import type { Probe, ProbeContext, ProbeOutcome, ProbeTarget } from '../../probes/types.ts';
import { networkTransport } from '../../transport/transport.ts';
import { deadline } from '../deadline.ts';
import type { HostJob } from '../host-job.ts';
import {
  backOff,
  isEnabled,
  MAX_RETRIES,
  recordExchange,
  reportOutcome,
  type SweepRun,
} from '../sweep-run.ts';

/**
 * Phase 3: the service probes of every open port (within the per-host cap) and the host probes,
 * all at once. A host with no open port gets none: it has nothing to identify.
 */
export async function probeHost(job: HostJob): Promise<void> {
  const { run, host, signal } = job;
  if (job.open.length === 0 || signal.aborted) return;
  const { ports, settings } = run.opts;
  const tasks: Promise<ProbeOutcome>[] = [];
  for (const port of job.open) {
    const service = ports.find((p) => p.port === port)?.service ?? 'unknown';
    for (const probe of SERVICE_PROBES) {
      if (probe.services.includes(service) && isEnabled(probe, settings)) {
        tasks.push(job.perHost(() => runProbe(run, probe, { host, port }, signal)));
      }
    }
  }
  for (const probe of HOST_PROBES) {
    if (!isEnabled(probe, settings)) continue;
    if (probe.skipIfMulticast && job.multicast.some((ex) => ex.protocol === probe.skipIfMulticast)) continue;
    tasks.push(runProbe(run, probe, { host }, signal));
  }
  for (const r of await Promise.all(tasks)) {
    job.outcomes.push(r);
    for (const f of r.followUps ?? []) job.followUps.push(f);
  }
}

/** A probe the kernel refused to run (EMFILE, ENOBUFS) is retried after a slowdown, not lost. */
export async function runProbe(
  run: SweepRun,
  probe: Probe,
  target: ProbeTarget,
  hostSignal: AbortSignal,
): Promise<ProbeOutcome> {
  let result = await run.connections.run(() => runProbeOnce(run, probe, target, hostSignal));
  for (
    let attempt = 0;
    result.status === 'limit-exceeded' && attempt < MAX_RETRIES && !hostSignal.aborted;
    attempt++
  ) {
    await backOff(run, attempt, hostSignal);
    result = await run.connections.run(() => runProbeOnce(run, probe, target, hostSignal));
  }
  reportOutcome(run, result);
  return result;
}

async function runProbeOnce(
  run: SweepRun,
  probe: Probe,
  target: ProbeTarget,
  hostSignal: AbortSignal,
): Promise<ProbeOutcome> {
  const { opts } = run;
  const probeDeadline = deadline(hostSignal, opts.probeTimeoutMs);
  const ctx: ProbeContext = {
    signal: probeDeadline.signal,
    guard: opts.guard,
    transport: networkTransport,
    wsdPort: opts.wsdPort,
    udpWindowMs: opts.udpWindowMs,
    settings: opts.settings,
    record: (ex) => recordExchange(run, target.host, ex),
  };
  try {
    return await probe.run(target, ctx);
  } catch (err) {
    // Probes should not throw; if one does, it costs that probe only.
    const { host, port } = target;
    return {
      probe: probe.id,
      host,
      ...(port !== undefined ? { port } : {}),
      status: classify(err),
      detail: String(err),
    };
  } finally {
    probeDeadline.dispose();
  }
}
