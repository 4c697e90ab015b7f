import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ipToBigInt } from '../core/ip.ts';
import { ipv4Interfaces } from './multicast.ts';

export interface NeighbourEntry {
  address: string;
  mac: string;
  /** The kernel resolved it (ATF_COM): the host answered ARP. */
  complete: boolean;
}

/**
 * The kernel's IPv4 neighbour table (/proc/net/arp, per network namespace). On a directly
 * connected segment it tells an absent host (never resolved) from a silent one, and gives MACs.
 */
export function readNeighbours(path = '/proc/net/arp'): Map<string, NeighbourEntry> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return new Map(); // not Linux, or no /proc: callers treat every host as "unknown"
  }
  return parseNeighbours(text);
}

export function parseNeighbours(text: string): Map<string, NeighbourEntry> {
  const out = new Map<string, NeighbourEntry>();
  for (const line of text.split('\n').slice(1)) {
    const [address, , flags, mac] = line.trim().split(/\s+/);
    if (!address || !flags || !mac) continue;
    const complete = (Number.parseInt(flags, 16) & 0x2) !== 0 && mac !== '00:00:00:00:00:00';
    out.set(address, { address, mac: mac.toLowerCase(), complete });
  }
  return out;
}

/** A test for "lies on one of this host's IPv4 segments", where ARP decides presence. */
export function localSegmentTest(interfaces = ipv4Interfaces()): (address: string) => boolean {
  return (address) => {
    if (interfaces.length === 0 || !address.includes('.')) return false;
    let value: bigint;
    try {
      value = ipToBigInt(address).value;
    } catch {
      return false;
    }
    return interfaces.some((i) => value >= i.first && value <= i.last);
  };
}

/**
 * Reading /proc/net/arp is slow while the kernel resolves hundreds of addresses, so reads are
 * shared: a caller gets a snapshot taken no earlier than `notBefore` (its own connect's end), and
 * callers that arrive together share one read, off the event loop.
 */
export class NeighbourSnapshots {
  private snapshot: { at: number; table: Map<string, NeighbourEntry> } | undefined;
  private pending: Promise<{ at: number; table: Map<string, NeighbourEntry> }> | undefined;
  private readonly path: string;

  constructor(path = '/proc/net/arp') {
    this.path = path;
  }

  async after(notBefore: number): Promise<Map<string, NeighbourEntry>> {
    if (this.snapshot && this.snapshot.at >= notBefore) return this.snapshot.table;
    if (!this.pending) {
      const at = Date.now();
      this.pending = readFile(this.path, 'utf8')
        .then((text) => parseNeighbours(text))
        .catch(() => new Map<string, NeighbourEntry>())
        .then((table) => {
          this.snapshot = { at, table };
          this.pending = undefined;
          return this.snapshot;
        });
    }
    const snap = await this.pending;
    return snap.at >= notBefore ? snap.table : this.after(notBefore);
  }
}
