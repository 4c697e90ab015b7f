import { MULTICAST_DISCOVERY } from '../../probes/index.ts';
import type { HostJob } from '../host-job.ts';
import { exchangesOf } from '../sweep-run.ts';

/**
 * Waits for phase 1, then joins what the host said to multicast discovery to its unicast
 * evidence; the addresses it advertised there become follow-ups.
 */
export async function meetMulticast(job: HostJob): Promise<void> {
  await job.multicastPhase.done;
  const multicast = job.multicastPhase.byHost.get(job.host) ?? [];
  job.multicast = multicast;
  const exchanges = exchangesOf(job.run, job.host);
  for (const ex of multicast) exchanges.push(ex);
  for (const ex of multicast) {
    const d = MULTICAST_DISCOVERY.find((x) => x.id === ex.probe);
    for (const f of d?.followUps?.(ex) ?? []) job.followUps.push(f);
  }
}
