import type { Device } from '../core/device.ts';
import type { Finding } from '../core/finding.ts';
import type { ProbeStatus } from '../core/status.ts';

export interface ProbeStatusEvent {
  type: 'probe-status';
  schemaVersion: number;
  probe: string;
  host: string;
  port?: number;
  status: ProbeStatus;
  detail?: string;
}

export interface SummaryEvent {
  type: 'summary';
  schemaVersion: number;
  version: string;
  command?: string;
  startedAt: string;
  finishedAt: string;
  complete: boolean;
  interruptedBy?: string;
  targets: string[];
  policies: string[];
  addresses: { total: string; done: number; live: number; untested: number };
  devices: number;
  findings: Record<string, number>;
  statuses: Record<string, number>;
  outOfScope: number;
  /** Times the kernel pushed back (EMFILE, ENOBUFS, a full neighbour table) and the sweep slowed down. */
  slowdowns: number;
  /** How long the sweep took, and its multicast discovery phase when there was one. */
  durations?: { totalMs: number; multicastMs?: number };
  fingerprints: number;
}

export type SweepEvent = Device | Finding | ProbeStatusEvent | SummaryEvent;

/** Groups an event stream (live or read back from --out) for reporters. */
export interface EventSet {
  devices: Device[];
  findings: Finding[];
  summary?: SummaryEvent;
}

export function collect(events: Iterable<SweepEvent>): EventSet {
  const set: EventSet = { devices: [], findings: [] };
  for (const e of events) {
    if (e.type === 'device') set.devices.push(e);
    else if (e.type === 'finding') set.findings.push(e);
    else if (e.type === 'summary') set.summary = e;
  }
  return set;
}
