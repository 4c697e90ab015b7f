import type { Exchange } from '../core/exchange.ts';
import type { Observation } from '../core/observation.ts';
import type { ScopeGuard } from '../core/scope.ts';
import type { ProbeOutcome, ProbeSettings } from '../probes/types.ts';
import type { LocalInterface } from '../transport/multicast.ts';
import type { PortSpec } from './ports.ts';
import type { TargetSet } from './targets.ts';

/** live: something answered; absent: nobody there; untested: the kernel never let us try. */
export type HostState = 'live' | 'absent' | 'untested';

export interface HostResult {
  host: string;
  state: HostState;
  openPorts: number[];
  exchanges: Exchange[];
  /** Facts not carried by any exchange, e.g. the MAC from the kernel's neighbour table. */
  observations: Observation[];
  outcomes: ProbeOutcome[];
}

export interface SweepOptions {
  targets: TargetSet;
  guard: ScopeGuard;
  ports: readonly PortSpec[];
  interfaces: readonly LocalInterface[];
  signal: AbortSignal;
  /** Global cap on connections in flight. */
  concurrency: number;
  /** Cap on connections in flight to one host. */
  perHost: number;
  /** New connections per second to one host. */
  ratePerHost: number;
  connectTimeoutMs: number;
  probeTimeoutMs: number;
  hostTimeoutMs: number;
  wsdPort: number;
  udpWindowMs: number;
  multicastWindowMs: number;
  settings: ProbeSettings;
  /** Every exchange, as it happens (for --record). */
  onExchange?(ex: Exchange): void;
  onHost(result: HostResult): void;
  onOutcome?(outcome: ProbeOutcome): void;
  onProgress?(done: number): void;
  /** Called when a host is finished, with how long it took (for debug logs). */
  onHostDone?(host: string, state: HostState, ms: number): void;
  onHostError?(host: string, err: unknown): void;
}

export interface SweepStats {
  addressesDone: number;
  live: number;
  untested: number;
  outOfScope: number;
  pressureEvents: number;
  statuses: Record<string, number>;
  complete: boolean;
  /** Wall time of phase 1 (all multicast discovery), 0 when no interface was chosen. */
  multicastMs: number;
}
