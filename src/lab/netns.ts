/**
 * Network-namespace lab: real kernel network stacks (bridges, veth links, routers, multicast) for
 * tests that loopback cannot stand in for — multi-NIC scanners, multicast interface selection,
 * routed segments, ARP behaviour.
 *
 * Safety model (why the code looks the way it does):
 * - Nothing is ever attached to the root namespace. Every veth pair is created by an `ip` running
 *   inside the bridge namespace, with its peer placed straight into the host namespace in the same
 *   netlink request, so neither end ever exists in the root namespace, not even briefly.
 * - Bridges live in a dedicated bridge namespace, so no segment can be bridged onto a real NIC.
 * - Every namespace is `csw-<lab>-<name>` and every link is `csw-…`, so cleanupLabs() can find
 *   leftovers of crashed runs. `<lab>` holds no '-', so one lab's prefix never matches another's.
 * - Commands run through execFile/spawn with argument arrays; nothing goes through a shell.
 */
import { type ChildProcess, type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CamsweepError } from '../core/errors.ts';

export const NETNS_PREFIX = 'csw';

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

export interface Topology {
  readonly lab: string;
  /** Every namespace of this lab, bridge namespace first. */
  readonly namespaces: readonly string[];
  /** Wall time createTopology() took, in milliseconds. */
  readonly setupMs: number;
  readonly neighbourTable: NeighbourTableStatus;
  namespaceOf(hostOrScannerName: string): string;
  /** The link name inside that node's namespace for its leg on `segment`. */
  interfaceOf(hostOrScannerName: string, segment: string): string;
  /** Spawns a command inside a namespace (`ip netns exec <ns> …`); returns the ChildProcess. */
  spawnIn(name: string, command: string, args: string[], options?: SpawnOptions): ChildProcess;
  /** Runs a command inside a namespace to completion; resolves {code, stdout, stderr}. */
  runIn(
    name: string,
    command: string,
    args: string[],
    timeoutMs?: number,
  ): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Kills processes spawned with spawnIn/runIn, deletes every namespace of this lab; idempotent. */
  destroy(): Promise<void>;
}

const NEIGH_TARGET = 65536;
/** Linux IFNAMSIZ is 16 including the terminating NUL. */
const MAX_IFNAME = 15;
const LAB_RE = /^[a-z0-9]{1,8}$/;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,30}$/;
const MAC_RE = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;
const BRIDGE_NS_NAME = 'br';

// ---------------------------------------------------------------------------------------------
// process helpers

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion without a shell; never rejects for a non-zero exit. */
function run(
  command: string,
  args: string[],
  opts: { input?: string; timeoutMs?: number; track?: Set<ChildProcess> } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    opts.track?.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            child.kill('SIGKILL');
          }, opts.timeoutMs);
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      opts.track?.delete(child);
      reject(err);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      opts.track?.delete(child);
      resolve({ code, stdout, stderr });
    });
    // EPIPE when the command exits before reading stdin is reported through 'close' anyway.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/** First meaningful stderr line, so errors stay one line. */
function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? ''
  );
}

/** Runs `ip …` and throws a one-line Error on failure. */
async function ip(args: string[], input?: string): Promise<string> {
  const res = await run(
    'ip',
    args,
    input === undefined ? { timeoutMs: 20_000 } : { input, timeoutMs: 20_000 },
  );
  if (res.code !== 0) {
    const what = input === undefined ? args.join(' ') : `${args.join(' ')} (batch)`;
    throw new Error(`ip ${what}: ${firstLine(res.stderr) || `exit ${String(res.code)}`}`);
  }
  return res.stdout;
}

function parseNetnsList(text: string): string[] {
  // Lines look like "name" or "name (id: 3)".
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n.length > 0);
}

async function listNamespaces(): Promise<string[]> {
  return parseNetnsList(await ip(['netns', 'list']));
}

function labError(message: string, context: Record<string, unknown> = {}): CamsweepError {
  return new CamsweepError('LAB', message.replace(/\s*\n\s*/g, '; '), context);
}

// ---------------------------------------------------------------------------------------------
// IPv4 helpers (tiny and local: the lab only needs containment checks)

function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

function parseCidr(text: string): { base: number; prefix: number } | undefined {
  const [addr, len, ...rest] = text.split('/');
  if (addr === undefined || len === undefined || rest.length > 0 || !/^\d{1,2}$/.test(len)) return undefined;
  const base = parseIpv4(addr);
  const prefix = Number(len);
  if (base === undefined || prefix > 32) return undefined;
  return { base, prefix };
}

function inCidr(addr: number, net: { base: number; prefix: number }): boolean {
  const size = 2 ** (32 - net.prefix);
  return Math.floor(addr / size) === Math.floor(net.base / size);
}

// ---------------------------------------------------------------------------------------------
// plan: validated spec turned into namespaces, links and routes

interface Leg {
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

interface Node {
  kind: 'scanner' | 'host' | 'router';
  name: string;
  ns: string;
  legs: Leg[];
}

interface Plan {
  lab: string;
  bridgeNs: string;
  segments: { name: string; cidr: string; prefix: number; base: number; bridge: string }[];
  nodes: Node[];
}

function checkIfname(name: string): string {
  if (name.length > MAX_IFNAME)
    throw labError(`interface name ${name} is longer than ${MAX_IFNAME} characters`);
  return name;
}

function makePlan(spec: TopologySpec): Plan {
  const lab = spec.lab ?? randomLabId();
  if (!LAB_RE.test(lab)) throw labError(`lab id "${lab}" must match ${LAB_RE.source}`);
  const nsName = (name: string): string => `${NETNS_PREFIX}-${lab}-${name}`;

  if (spec.segments.length === 0) throw labError('topology needs at least one segment');
  const segments: Plan['segments'] = [];
  const segIndex = new Map<string, number>();
  for (const seg of spec.segments) {
    if (!NAME_RE.test(seg.name)) throw labError(`segment name "${seg.name}" must match ${NAME_RE.source}`);
    if (segIndex.has(seg.name)) throw labError(`duplicate segment "${seg.name}"`);
    const net = parseCidr(seg.cidr);
    if (net === undefined || net.prefix < 8 || net.prefix > 30) {
      throw labError(`segment ${seg.name}: "${seg.cidr}" is not an IPv4 CIDR with prefix 8..30`);
    }
    segIndex.set(seg.name, segments.length);
    segments.push({
      name: seg.name,
      cidr: seg.cidr,
      prefix: net.prefix,
      base: net.base,
      bridge: checkIfname(`${NETNS_PREFIX}-b${segments.length}`),
    });
  }

  const nodes: Node[] = [];
  const names = new Set<string>();
  const addNode = (
    kind: Node['kind'],
    name: string,
    legs: { segment: string; address: string; mac?: string | undefined; extras?: string[] | undefined }[],
  ): void => {
    if (!NAME_RE.test(name)) throw labError(`${kind} name "${name}" must match ${NAME_RE.source}`);
    if (name === BRIDGE_NS_NAME)
      throw labError(`name "${BRIDGE_NS_NAME}" is reserved for the bridge namespace`);
    if (names.has(name)) throw labError(`duplicate node name "${name}"`);
    if (legs.length === 0) throw labError(`${kind} ${name} has no legs`);
    names.add(name);
    const nodeIndex = nodes.length;
    const seen = new Set<string>();
    const built: Leg[] = legs.map((leg, legIndex) => {
      const si = segIndex.get(leg.segment);
      const seg = si === undefined ? undefined : segments[si];
      if (si === undefined || seg === undefined)
        throw labError(`${kind} ${name}: unknown segment "${leg.segment}"`);
      // The link inside a node is named after the segment index, so one leg per segment.
      if (seen.has(leg.segment)) throw labError(`${kind} ${name} has two legs on segment ${leg.segment}`);
      seen.add(leg.segment);
      const withPrefix = (text: string, what: string): { cidr: string; ip: string } => {
        const [addr, len] = text.split('/');
        const value = addr === undefined ? undefined : parseIpv4(addr);
        const prefix = len === undefined ? seg.prefix : Number(len);
        if (
          addr === undefined ||
          value === undefined ||
          !Number.isInteger(prefix) ||
          prefix < 1 ||
          prefix > 32 ||
          (len !== undefined && !/^\d{1,2}$/.test(len))
        ) {
          throw labError(`${kind} ${name}: ${what} "${text}" is not an IPv4 address`);
        }
        return { cidr: `${addr}/${prefix}`, ip: addr };
      };
      const main = withPrefix(leg.address, 'address');
      const mainValue = parseIpv4(main.ip);
      if (mainValue === undefined || !inCidr(mainValue, seg)) {
        throw labError(
          `${kind} ${name}: address ${leg.address} is outside segment ${seg.name} (${seg.cidr})`,
        );
      }
      if (leg.mac !== undefined && !MAC_RE.test(leg.mac))
        throw labError(`${kind} ${name}: bad MAC "${leg.mac}"`);
      const built: Leg = {
        segIndex: si,
        segment: seg.name,
        address: main.cidr,
        ip: main.ip,
        extras: (leg.extras ?? []).map((e) => withPrefix(e, 'extra address').cidr),
        ifname: checkIfname(`${NETNS_PREFIX}-e${si}`),
        bridgePort: checkIfname(`${NETNS_PREFIX}-p${nodeIndex}-${legIndex}`),
      };
      if (leg.mac !== undefined) built.mac = leg.mac.toLowerCase();
      return built;
    });
    nodes.push({ kind, name, ns: nsName(name), legs: built });
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
function routesFor(plan: Plan, node: Node): Map<number, string> {
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

function bridgeBatch(plan: Plan): string {
  const lines = ['link set lo up'];
  for (const seg of plan.segments) {
    // Snooping off: group traffic floods like on a dumb switch, so a receiver that joined a group
    // gets datagrams whether or not the bridge saw its IGMP report yet.
    lines.push(
      `link add ${seg.bridge} type bridge mcast_snooping 0`,
      // Only the nodes speak IPv6; the bridge and its ports stay quiet (no DAD, no MLD of their own).
      `link set ${seg.bridge} addrgenmode none`,
      `link set ${seg.bridge} up`,
    );
  }
  for (const node of plan.nodes) {
    for (const leg of node.legs) {
      const bridge = plan.segments[leg.segIndex]?.bridge ?? '';
      // One netlink request creates both ends; the peer is born inside the node's namespace.
      lines.push(
        `link add ${leg.bridgePort} type veth peer name ${leg.ifname} netns ${node.ns}`,
        `link set ${leg.bridgePort} addrgenmode none`,
        `link set ${leg.bridgePort} master ${bridge} up`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** EUI-64 from the leg's MAC as a device would form it (RFC 4291 App. A), else from its IPv4 address. */
export function linkLocalOf(leg: { ip: string; mac?: string }): string {
  if (leg.mac !== undefined) {
    const b = leg.mac.split(':').map((h) => Number.parseInt(h, 16));
    const [b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0] = b;
    const group = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
    return `fe80::${group(b0 ^ 0x02, b1)}:${group(b2, 0xff)}:${group(0xfe, b3)}:${group(b4, b5)}`;
  }
  return `fe80::${leg.ip
    .split('.')
    .map((o) => Number(o).toString(16))
    .join(':')}`;
}

function nodeBatch(plan: Plan, node: Node): string {
  const lines = ['link set lo up'];
  for (const leg of node.legs) {
    if (leg.mac !== undefined) lines.push(`link set ${leg.ifname} address ${leg.mac}`);
    lines.push(`addr add ${leg.address} dev ${leg.ifname}`);
    // A fixed IPv6 link-local address, usable at once (no duplicate-address detection wait), for
    // IPv6 multicast discovery; the kernel's own would stay "tentative" for a second or two.
    lines.push(`link set ${leg.ifname} addrgenmode none`);
    lines.push(`addr add ${linkLocalOf(leg)}/64 dev ${leg.ifname} nodad`);
    for (const extra of leg.extras) lines.push(`addr add ${extra} dev ${leg.ifname}`);
    lines.push(`link set ${leg.ifname} up`);
  }
  const scannerSegs = new Set(
    plan.nodes.find((n) => n.kind === 'scanner')?.legs.map((l) => l.segIndex) ?? [],
  );
  const first = node.legs[0];
  if (node.kind === 'host' && first !== undefined && !scannerSegs.has(first.segIndex)) {
    // A host behind a router: default route via a router on its segment, as on a real site.
    const router = plan.nodes.find(
      (n) => n.kind === 'router' && n.legs.some((l) => l.segIndex === first.segIndex),
    );
    const hop = router?.legs.find((l) => l.segIndex === first.segIndex)?.ip;
    if (hop !== undefined) lines.push(`route add default via ${hop} dev ${first.ifname}`);
  } else {
    for (const [seg, hop] of routesFor(plan, node)) {
      const s = plan.segments[seg];
      if (s) lines.push(`route add ${s.cidr} via ${hop}`);
    }
  }
  if (node.kind !== 'router' && first !== undefined) {
    // Namespaces have no default route, so without this a multicast send that names no interface
    // fails with ENETUNREACH; on a real machine it would follow the default route.
    lines.push(`route add 224.0.0.0/4 dev ${first.ifname}`);
  }
  return `${lines.join('\n')}\n`;
}

function readHostThresh3(): number | null {
  try {
    const v = Number(readFileSync('/proc/sys/net/ipv4/neigh/default/gc_thresh3', 'utf8').trim());
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

async function raiseNeighbourTable(ns: string): Promise<NeighbourTableStatus> {
  const res = await run(
    'ip',
    [
      'netns',
      'exec',
      ns,
      'sysctl',
      '-q',
      '-w',
      `net.ipv4.neigh.default.gc_thresh1=${NEIGH_TARGET / 4}`,
      `net.ipv4.neigh.default.gc_thresh2=${NEIGH_TARGET / 2}`,
      `net.ipv4.neigh.default.gc_thresh3=${NEIGH_TARGET}`,
    ],
    { timeoutMs: 10_000 },
  );
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

// ---------------------------------------------------------------------------------------------
// cleanup

/** Topologies not yet destroyed, so a process exit still removes their namespaces. */
const live = new Set<{ namespaces: readonly string[]; children: Set<ChildProcess> }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous, hence spawnSync. Best effort: errors are ignored.
  process.on('exit', () => {
    for (const t of live) {
      for (const c of t.children) c.kill('SIGKILL');
      const input = t.namespaces.map((ns) => `netns del ${ns}`).join('\n');
      spawnSync('ip', ['-force', '-batch', '-'], {
        input,
        stdio: ['pipe', 'ignore', 'ignore'],
        timeout: 5000,
      });
    }
  });
}

async function killNamespaceProcesses(namespaces: readonly string[]): Promise<void> {
  // A namespace with a process still inside survives `ip netns del` (only the name goes away), so
  // stray processes of the lab (e.g. grandchildren of spawned commands) are ended by PID first.
  await Promise.all(
    namespaces.map(async (ns) => {
      const res = await run('ip', ['netns', 'pids', ns], { timeoutMs: 5000 });
      if (res.code !== 0) return;
      for (const pid of res.stdout.split('\n').map((l) => Number(l.trim()))) {
        if (Number.isInteger(pid) && pid > 1 && pid !== process.pid) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
    }),
  );
}

async function deleteNamespaces(targets: readonly string[]): Promise<string[]> {
  const existing = new Set(await listNamespaces());
  const present = targets.filter((ns) => existing.has(ns));
  if (present.length === 0) return [];
  await killNamespaceProcesses(present);
  // -force: keep going after one failure so a single stuck namespace doesn't strand the others.
  await run('ip', ['-force', '-batch', '-'], {
    input: `${present.map((ns) => `netns del ${ns}`).join('\n')}\n`,
    timeoutMs: 20_000,
  });
  const after = new Set(await listNamespaces());
  const stuck = present.filter((ns) => after.has(ns));
  if (stuck.length > 0) throw labError(`could not delete namespaces: ${stuck.join(', ')}`, { stuck });
  return present;
}

async function stopChildren(children: Set<ChildProcess>): Promise<void> {
  const waits = [...children].map(
    (c) =>
      new Promise<void>((resolve) => {
        if (c.exitCode !== null || c.signalCode !== null) {
          resolve();
          return;
        }
        const force = setTimeout(() => c.kill('SIGKILL'), 1000);
        c.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        c.kill('SIGTERM');
      }),
  );
  await Promise.all(waits);
  children.clear();
}

// ---------------------------------------------------------------------------------------------
// public API

export function netnsAvailable(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux')
    return { ok: false, reason: `network namespaces need Linux (${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'network namespaces need root (uid 0)' };
  const res = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 5000 });
  if (res.error) return { ok: false, reason: `cannot run "ip netns list": ${res.error.message}` };
  if (res.status !== 0) {
    return {
      ok: false,
      reason: `"ip netns list" failed: ${firstLine(res.stderr) || `exit ${String(res.status)}`}`,
    };
  }
  return { ok: true };
}

export async function createTopology(spec: TopologySpec): Promise<Topology> {
  const started = performance.now();
  const plan = makePlan(spec);
  const labPrefix = `${NETNS_PREFIX}-${plan.lab}-`;
  const namespaces = [plan.bridgeNs, ...plan.nodes.map((n) => n.ns)];
  const children = new Set<ChildProcess>();
  const entry = { namespaces, children };

  let existing: string[];
  try {
    existing = await listNamespaces();
  } catch (err) {
    throw labError(`network namespaces unavailable: ${(err as Error).message}`);
  }
  if (existing.some((ns) => ns.startsWith(labPrefix))) {
    throw labError(
      `lab ${plan.lab} already has namespaces (${labPrefix}*); pick another id or run cleanupLabs`,
    );
  }

  let neighbourTable: NeighbourTableStatus;
  installExitHook();
  live.add(entry);
  try {
    await ip(['-batch', '-'], `${namespaces.map((ns) => `netns add ${ns}`).join('\n')}\n`);
    await ip(['-n', plan.bridgeNs, '-batch', '-'], bridgeBatch(plan));
    const scanner = plan.nodes.find((n) => n.kind === 'scanner');
    const [status] = await Promise.all([
      scanner ? raiseNeighbourTable(scanner.ns) : Promise.resolve(undefined),
      ...plan.nodes.map((node) => ip(['-n', node.ns, '-batch', '-'], nodeBatch(plan, node))),
      ...plan.nodes
        .filter((n) => n.kind === 'router')
        .map(async (r) => {
          const res = await run(
            'ip',
            ['netns', 'exec', r.ns, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'],
            {
              timeoutMs: 10_000,
            },
          );
          if (res.code !== 0) throw new Error(`router ${r.name}: ip_forward: ${firstLine(res.stderr)}`);
        }),
    ]);
    if (status === undefined) throw new Error('internal: no scanner');
    neighbourTable = status;
  } catch (err) {
    live.delete(entry);
    let cleanup = '';
    try {
      await deleteNamespaces(namespaces);
    } catch (cleanErr) {
      cleanup = ` (cleanup also failed: ${(cleanErr as Error).message})`;
    }
    const message = err instanceof Error ? err.message : String(err);
    throw labError(`lab ${plan.lab} setup failed: ${firstLine(message)}${cleanup}`, { lab: plan.lab });
  }

  const byName = new Map(plan.nodes.map((n) => [n.name, n]));
  const nodeOf = (name: string): Node => {
    const node = byName.get(name);
    if (!node) throw labError(`lab ${plan.lab} has no node "${name}"`);
    return node;
  };
  let destroyed: Promise<void> | undefined;
  const assertLive = (): void => {
    if (destroyed) throw labError(`lab ${plan.lab} was destroyed`);
  };
  const setupMs = performance.now() - started;

  return {
    lab: plan.lab,
    namespaces,
    setupMs,
    neighbourTable,
    namespaceOf: (name) => nodeOf(name).ns,
    interfaceOf(name, segment) {
      const leg = nodeOf(name).legs.find((l) => l.segment === segment);
      if (!leg) throw labError(`${name} has no leg on segment ${segment}`);
      return leg.ifname;
    },
    spawnIn(name, command, args, options = {}) {
      assertLive();
      const child = spawn('ip', ['netns', 'exec', nodeOf(name).ns, command, ...args], {
        stdio: 'pipe',
        ...options,
      });
      children.add(child);
      child.once('exit', () => children.delete(child));
      // Without a listener a failed spawn would crash the process with an unhandled 'error'.
      child.on('error', () => children.delete(child));
      return child;
    },
    runIn(name, command, args, timeoutMs = 30_000) {
      assertLive();
      return run('ip', ['netns', 'exec', nodeOf(name).ns, command, ...args], { timeoutMs, track: children });
    },
    destroy() {
      destroyed ??= (async () => {
        await stopChildren(children);
        await deleteNamespaces(namespaces);
        live.delete(entry);
      })();
      return destroyed;
    },
  };
}

/**
 * Deletes every `csw-*` namespace, or only lab `lab`'s, ending processes still inside them.
 * Without `lab` this also removes labs other test runs on the machine are using.
 */
export async function cleanupLabs(lab?: string): Promise<string[]> {
  if (lab !== undefined && !LAB_RE.test(lab)) throw labError(`lab id "${lab}" must match ${LAB_RE.source}`);
  const prefix = lab === undefined ? `${NETNS_PREFIX}-` : `${NETNS_PREFIX}-${lab}-`;
  const targets = (await listNamespaces()).filter((ns) => ns.startsWith(prefix));
  const removed = await deleteNamespaces(targets);
  for (const t of live) {
    if (t.namespaces.every((ns) => ns.startsWith(prefix))) live.delete(t);
  }
  return removed;
}
