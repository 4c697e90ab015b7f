/**
 * A topology spec checked and turned into a plan: namespace names, link names, addresses with
 * their prefix, and routes. Pure (no commands run), so every refusal happens before anything exists.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { ipToBigInt } from '../../core/ip.ts';
import { labError } from './commands.ts';

export const NETNS_PREFIX = 'csw';
export const LAB_RE = /^[a-z0-9]{1,8}$/;

export interface SegmentSpec {
  name: string;
  cidr: string;
}
export interface HostSpec {
  name: string;
  segment: string;
  /** IPv4 address; without `/prefix` the segment's prefix length is used. */
  address: string;
  mac?: string;
  extraAddresses?: string[];
}
export interface RouterSpec {
  name: string;
  legs: { segment: string; address: string }[];
}
export interface TopologySpec {
  /** Short id ([a-z0-9]{1,8}); random when omitted so parallel labs don't collide. */
  lab?: string;
  segments: SegmentSpec[];
  hosts: HostSpec[];
  scanner: { name: string; legs: { segment: string; address: string }[] };
  routers?: RouterSpec[];
}

export interface Leg {
  segIndex: number;
  segment: string;
  /** address/prefix */
  address: string;
  /** address only */
  ip: string;
  extras: string[];
  mac?: string;
  ifname: string;
  bridgePort: string;
}

export interface Node {
  kind: 'scanner' | 'host' | 'router';
  name: string;
  ns: string;
  legs: Leg[];
}

export interface PlannedSegment {
  name: string;
  cidr: string;
  prefix: number;
  /** The network's first address, as core/ip.ts counts it. */
  base: bigint;
  bridge: string;
}

export interface Plan {
  lab: string;
  bridgeNs: string;
  segments: PlannedSegment[];
  nodes: Node[];
}

/** Linux IFNAMSIZ is 16 including the terminating NUL. */
const MAX_IFNAME = 15;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,30}$/;
const MAC_RE = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;
const BRIDGE_NS_NAME = 'br';

type LegSpec = { segment: string; address: string; mac?: string | undefined; extras?: string[] | undefined };

function checkIfname(name: string): string {
  if (name.length > MAX_IFNAME)
    throw labError(`interface name ${name} is longer than ${MAX_IFNAME} characters`);
  return name;
}

/** An IPv4 literal's value (core/ip.ts), undefined for anything else. */
function ipv4Value(text: string): bigint | undefined {
  return isIP(text) === 4 ? ipToBigInt(text).value : undefined;
}

/** "a.b.c.d/len" → address and prefix length (`defaultPrefix` when no /len); undefined if malformed. */
function splitPrefix(
  text: string,
  defaultPrefix?: number,
): { addr: string; value: bigint; prefix: number } | undefined {
  const [addr = '', len, ...rest] = text.split('/');
  if (rest.length > 0 || (len !== undefined && !/^\d{1,2}$/.test(len))) return undefined;
  const value = ipv4Value(addr);
  const prefix = len === undefined ? defaultPrefix : Number(len);
  if (value === undefined || prefix === undefined || prefix > 32) return undefined;
  return { addr, value, prefix };
}

function sameNetwork(a: bigint, b: bigint, prefix: number): boolean {
  const hostBits = BigInt(32 - prefix);
  return a >> hostBits === b >> hostBits;
}

function planSegments(specs: readonly SegmentSpec[]): PlannedSegment[] {
  if (specs.length === 0) throw labError('topology needs at least one segment');
  const segments: PlannedSegment[] = [];
  for (const seg of specs) {
    if (!NAME_RE.test(seg.name)) throw labError(`segment name "${seg.name}" must match ${NAME_RE.source}`);
    if (segments.some((s) => s.name === seg.name)) throw labError(`duplicate segment "${seg.name}"`);
    const net = splitPrefix(seg.cidr);
    if (net === undefined || net.prefix < 8 || net.prefix > 30) {
      throw labError(`segment ${seg.name}: "${seg.cidr}" is not an IPv4 CIDR with prefix 8..30`);
    }
    segments.push({
      name: seg.name,
      cidr: seg.cidr,
      prefix: net.prefix,
      base: net.value,
      bridge: checkIfname(`${NETNS_PREFIX}-b${segments.length}`),
    });
  }
  return segments;
}

/** One node's legs, each on a distinct known segment with an address inside it. */
function planLegs(
  who: string,
  nodeIndex: number,
  legs: readonly LegSpec[],
  segments: readonly PlannedSegment[],
): Leg[] {
  const seen = new Set<string>();
  return legs.map((leg, legIndex) => {
    const si = segments.findIndex((s) => s.name === leg.segment);
    const seg = segments[si];
    if (seg === undefined) throw labError(`${who}: unknown segment "${leg.segment}"`);
    // The link inside a node is named after the segment index, so one leg per segment.
    if (seen.has(leg.segment)) throw labError(`${who} has two legs on segment ${leg.segment}`);
    seen.add(leg.segment);
    const withPrefix = (text: string, what: string) => {
      const a = splitPrefix(text, seg.prefix);
      if (a === undefined || a.prefix < 1) throw labError(`${who}: ${what} "${text}" is not an IPv4 address`);
      return a;
    };
    const main = withPrefix(leg.address, 'address');
    if (!sameNetwork(main.value, seg.base, seg.prefix)) {
      throw labError(`${who}: address ${leg.address} is outside segment ${seg.name} (${seg.cidr})`);
    }
    if (leg.mac !== undefined && !MAC_RE.test(leg.mac)) throw labError(`${who}: bad MAC "${leg.mac}"`);
    return {
      segIndex: si,
      segment: seg.name,
      address: `${main.addr}/${main.prefix}`,
      ip: main.addr,
      extras: (leg.extras ?? []).map((e) => {
        const extra = withPrefix(e, 'extra address');
        return `${extra.addr}/${extra.prefix}`;
      }),
      ifname: checkIfname(`${NETNS_PREFIX}-e${si}`),
      bridgePort: checkIfname(`${NETNS_PREFIX}-p${nodeIndex}-${legIndex}`),
      ...(leg.mac !== undefined ? { mac: leg.mac.toLowerCase() } : {}),
    };
  });
}

export function makePlan(spec: TopologySpec): Plan {
  const lab = spec.lab ?? randomLabId();
  if (!LAB_RE.test(lab)) throw labError(`lab id "${lab}" must match ${LAB_RE.source}`);
  const nsName = (name: string): string => `${NETNS_PREFIX}-${lab}-${name}`;
  const segments = planSegments(spec.segments);
  const nodes: Node[] = [];
  const addNode = (kind: Node['kind'], name: string, legs: readonly LegSpec[]): void => {
    if (!NAME_RE.test(name)) throw labError(`${kind} name "${name}" must match ${NAME_RE.source}`);
    if (name === BRIDGE_NS_NAME)
      throw labError(`name "${BRIDGE_NS_NAME}" is reserved for the bridge namespace`);
    if (nodes.some((n) => n.name === name)) throw labError(`duplicate node name "${name}"`);
    if (legs.length === 0) throw labError(`${kind} ${name} has no legs`);
    nodes.push({
      kind,
      name,
      ns: nsName(name),
      legs: planLegs(`${kind} ${name}`, nodes.length, legs, segments),
    });
  };
  addNode('scanner', spec.scanner.name, spec.scanner.legs);
  for (const r of spec.routers ?? []) {
    if (r.legs.length < 2) throw labError(`router ${r.name} needs legs on at least two segments`);
    addNode('router', r.name, r.legs);
  }
  for (const h of spec.hosts) {
    addNode('host', h.name, [
      { segment: h.segment, address: h.address, mac: h.mac, extras: h.extraAddresses },
    ]);
  }
  return { lab, bridgeNs: nsName(BRIDGE_NS_NAME), segments, nodes };
}

function randomLabId(): string {
  // 6 base-36 characters: ~2e9 values, plenty for labs running side by side on one machine.
  const n = randomBytes(6).readUIntBE(0, 6);
  return n.toString(36).padStart(6, '0').slice(-6);
}

/**
 * Next hop (an on-link router address) for every segment the node is not attached to, found by
 * breadth-first search over routers, so chains of routers work too.
 */
export function routesFor(plan: Plan, node: Node): Map<number, string> {
  const attached = new Set(node.legs.map((l) => l.segIndex));
  const via = new Map<number, string>();
  const queue = [...attached];
  const visited = new Set(attached);
  const routers = plan.nodes.filter((n) => n.kind === 'router' && n !== node);
  while (queue.length > 0) {
    const seg = queue.shift();
    if (seg === undefined) break;
    for (const r of routers) {
      const entry = r.legs.find((l) => l.segIndex === seg);
      if (!entry) continue;
      for (const leg of r.legs) {
        if (visited.has(leg.segIndex)) continue;
        visited.add(leg.segIndex);
        // Directly attached segment: the router's address there is the next hop; further away:
        // inherit the next hop used to reach the segment we came from.
        const hop = attached.has(seg) ? entry.ip : via.get(seg);
        if (hop !== undefined) via.set(leg.segIndex, hop);
        queue.push(leg.segIndex);
      }
    }
  }
  return via;
}
