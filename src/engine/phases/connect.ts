import type { Exchange } from '../../core/exchange.ts';
import { classify, errorCode, isResourceError } from '../../core/status.ts';
import { tcpConnect } from '../../transport/tcp.ts';
import { withDeadline } from '../deadline.ts';
import type { HostJob } from '../host-job.ts';
import { backOff, MAX_RETRIES, recordExchange, type SweepRun } from '../sweep-run.ts';

type ConnectResult = 'open' | 'refused' | 'unreachable' | 'timeout' | 'untested' | 'error';

/** A connect that failed faster than ARP could have: the kernel's table, not the host. */
const FAST_UNREACHABLE_MS = 400;
/** ARP gives up after about 3 s. */
const ARP_GRACE_MS = 2000;

/**
 * Phase 2: a TCP connect to every port of the host. The first port doubles as host discovery: an
 * absent LAN host costs one ARP timeout, not ten.
 */
export async function connectSweep(job: HostJob): Promise<void> {
  const { run, host, signal } = job;
  const [first, ...rest] = run.opts.ports;
  if (first) {
    let r = await connectOnce(run, host, first.port, signal, true);
    // On a local segment a host that never answered ARP is absent, whatever TCP said: the kernel
    // rate-limits the EHOSTUNREACH it reports, so many absent hosts surface as timeouts.
    if (r === 'timeout' && job.local && !(await run.neighbours.after(Date.now())).get(host)?.complete)
      r = 'unreachable';
    recordConnect(job, first.port, r);
    if (r !== 'unreachable') {
      const results = await Promise.all(
        rest.map((p) => job.perHost(() => connectOnce(run, host, p.port, signal, false))),
      );
      for (const [i, p] of rest.entries()) recordConnect(job, p.port, results[i] ?? 'error');
    }
  }
  job.open.sort((a, b) => a - b);
}

function recordConnect(job: HostJob, port: number, r: ConnectResult): void {
  if (r === 'open') {
    job.open.push(port);
    const ex: Exchange = {
      type: 'exchange',
      host: job.host,
      port,
      transport: 'tcp',
      protocol: 'tcp',
      probe: 'tcp-connect',
      response: '',
      encoding: 'utf8',
      at: new Date().toISOString(),
    };
    recordExchange(job.run, job.host, ex);
  }
  if (r === 'open' || r === 'refused') job.responded = true;
  if (r === 'untested') job.untested = true;
}

/**
 * `discovery` marks a host's first connect. Only there does a fast EHOSTUNREACH mean a full
 * neighbour table: after the kernel has once failed to resolve a host, it answers later
 * connects to it at once from its FAILED neighbour entry, and that is a real "absent".
 */
async function connectOnce(
  run: SweepRun,
  host: string,
  port: number,
  signal: AbortSignal,
  discovery: boolean,
): Promise<ConnectResult> {
  // A discovery connect waits out ARP so that an absent LAN host is told apart from a silent one.
  const timeout = discovery ? run.opts.connectTimeoutMs + ARP_GRACE_MS : run.opts.connectTimeoutMs;
  for (let attempt = 0; attempt <= MAX_RETRIES; attempt++) {
    if (signal.aborted) return 'untested';
    await run.rate.take(host, signal);
    const started = Date.now();
    try {
      await run.connections.run(() =>
        withDeadline(signal, timeout, (s) => tcpConnect(run.opts.guard, host, port, s)),
      );
      run.connections.success();
      return 'open';
    } catch (err) {
      const code = errorCode(err);
      if (code === 'ECONNREFUSED') {
        run.connections.success();
        return 'refused';
      }
      const fast = Date.now() - started < FAST_UNREACHABLE_MS;
      if (
        isResourceError(err) ||
        ((code === 'EHOSTUNREACH' || code === 'ENETUNREACH') && fast && discovery && attempt === 0)
      ) {
        // Slow down and try again: reporting "absent" here would silently lose hosts.
        await backOff(run, attempt, signal);
        continue;
      }
      if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EHOSTDOWN') return 'unreachable';
      if (classify(err) === 'connection-timeout') return signal.aborted ? 'untested' : 'timeout';
      return 'error';
    }
  }
  return 'untested';
}
