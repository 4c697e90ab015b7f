import { setMaxListeners } from 'node:events';
import { HOST_PROBES } from '../probes/index.ts';
import { deadline } from './deadline.ts';
import { newHostJob } from './host-job.ts';
import { closeHost } from './phases/close.ts';
import { connectSweep } from './phases/connect.ts';
import { runFollowUps } from './phases/follow-ups.ts';
import { meetMulticast } from './phases/meet-multicast.ts';
import type { MulticastPhase } from './phases/multicast.ts';
import { probeHost } from './phases/probes.ts';
import type { SweepRun } from './sweep-run.ts';

/** Takes one address through its phases, all within the host's deadline. */
export async function sweepHost(run: SweepRun, multicastPhase: MulticastPhase, host: string): Promise<void> {
  const hostDeadline = deadline(run.opts.signal, run.opts.hostTimeoutMs);
  // Each probe of the host takes a deadline on this signal: up to perHost service probes and
  // every host probe at once, more than Node's default warning threshold of 10.
  setMaxListeners(run.opts.perHost + HOST_PROBES.length + 2, hostDeadline.signal);
  try {
    const job = newHostJob(run, multicastPhase, host, hostDeadline.signal);
    await connectSweep(job);
    await meetMulticast(job);
    await probeHost(job);
    await runFollowUps(job);
    await closeHost(job);
  } finally {
    hostDeadline.dispose();
  }
}
