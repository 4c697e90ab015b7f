import pLimit, { type LimitFunction } from 'p-limit';
import type { Exchange } from '../core/exchange.ts';
import type { FollowUp, ProbeOutcome } from '../probes/types.ts';
import type { MulticastPhase } from './phases/multicast.ts';
import type { SweepRun } from './sweep-run.ts';

/** One address on its way through the phases of a sweep (src/engine/sweep-host.ts runs them in order). */
export interface HostJob {
  readonly run: SweepRun;
  readonly multicastPhase: MulticastPhase;
  readonly host: string;
  /** The host's deadline: everything done to this host ends when it fires. */
  readonly signal: AbortSignal;
  readonly started: number;
  /** On a directly attached segment, where the neighbour table says whether the host exists. */
  readonly local: boolean;
  /** Cap on connections in flight to this host. */
  readonly perHost: LimitFunction;
  /** Open TCP ports, ascending once the connect sweep is over. */
  readonly open: number[];
  /** Some port answered (open or refused): the host exists, even with nothing to identify. */
  responded: boolean;
  /** Some connect was never let through by the kernel. */
  untested: boolean;
  /** What the host said to multicast discovery (phase 1). */
  multicast: readonly Exchange[];
  /** Addresses the host advertised, to be dialled through the scope guard. */
  readonly followUps: FollowUp[];
  readonly outcomes: ProbeOutcome[];
}

export function newHostJob(
  run: SweepRun,
  multicastPhase: MulticastPhase,
  host: string,
  signal: AbortSignal,
): HostJob {
  return {
    run,
    multicastPhase,
    host,
    signal,
    started: Date.now(),
    local: run.isLocal(host),
    perHost: pLimit(run.opts.perHost),
    open: [],
    responded: false,
    untested: false,
    multicast: [],
    followUps: [],
    outcomes: [],
  };
}
