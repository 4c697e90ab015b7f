/** The scanner namespace's ARP table limit: asked for, and what bounds it when the kernel says no. */
import { readFileSync } from 'node:fs';
import { firstLine, sysctlIn } from './commands.ts';

/**
 * Outcome of raising the scanner's neighbour (ARP) table limit. BENCH-BASELINE showed that a
 * connect sweep over a /16 overflows the default table (gc_thresh3 = 1024) and then silently loses
 * open ports, so the lab asks for 65536. Linux (checked on 6.18) keeps the ARP table's gc_thresh*
 * global and only lets the initial namespace change them: `net.ipv4.neigh.default.*` does not
 * exist inside a namespace and `ip ntable change … thresh3` there fails with ENOENT. The lab does
 * not touch the host-wide value itself (that would change the machine for everyone); it reports
 * the limit in force so benches can warn or the CI image can raise it deliberately.
 */
export interface NeighbourTableStatus {
  requested: number;
  applied: boolean;
  /** gc_thresh3 that actually bounds the scanner's table (host-wide value when not applied). */
  effectiveThresh3: number | null;
  note: string;
}

const NEIGH_TARGET = 65536;

function readHostThresh3(): number | null {
  try {
    const v = Number(readFileSync('/proc/sys/net/ipv4/neigh/default/gc_thresh3', 'utf8').trim());
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

export async function raiseNeighbourTable(ns: string): Promise<NeighbourTableStatus> {
  const res = await sysctlIn(ns, [
    `net.ipv4.neigh.default.gc_thresh1=${NEIGH_TARGET / 4}`,
    `net.ipv4.neigh.default.gc_thresh2=${NEIGH_TARGET / 2}`,
    `net.ipv4.neigh.default.gc_thresh3=${NEIGH_TARGET}`,
  ]);
  if (res.code === 0) {
    return {
      requested: NEIGH_TARGET,
      applied: true,
      effectiveThresh3: NEIGH_TARGET,
      note: 'raised inside the scanner namespace',
    };
  }
  const host = readHostThresh3();
  return {
    requested: NEIGH_TARGET,
    applied: false,
    effectiveThresh3: host,
    note:
      'this kernel keeps ARP gc_thresh* global and settable only from the initial namespace ' +
      `(${firstLine(res.stderr) || 'sysctl failed'}); the host-wide gc_thresh3 ` +
      `(${host === null ? 'unknown' : String(host)}) bounds the scanner's neighbour table`,
  };
}
