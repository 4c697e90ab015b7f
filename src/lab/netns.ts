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
import { bridgeBatch, nodeBatch } from './netns/batch.ts';
import { deleteNamespaces, installExitHook, live, stopChildren } from './netns/cleanup.ts';
import { firstLine, ip, labError, listNamespaces, run, sysctlIn } from './netns/commands.ts';
import { type NeighbourTableStatus, raiseNeighbourTable } from './netns/neighbour-table.ts';
import { LAB_RE, makePlan, NETNS_PREFIX, type Node, type Plan, type TopologySpec } from './netns/plan.ts';

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

/**
 * Creates the plan's namespaces and links and raises the scanner's neighbour table. On failure
 * every namespace made so far is deleted before the error goes on.
 */
async function build(plan: Plan, namespaces: readonly string[]): Promise<NeighbourTableStatus> {
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
          const res = await sysctlIn(r.ns, ['net.ipv4.ip_forward=1']);
          if (res.code !== 0) throw new Error(`router ${r.name}: ip_forward: ${firstLine(res.stderr)}`);
        }),
    ]);
    if (status === undefined) throw new Error('internal: no scanner');
    return status;
  } catch (err) {
    let cleanup = '';
    try {
      await deleteNamespaces(namespaces);
    } catch (cleanErr) {
      cleanup = ` (cleanup also failed: ${(cleanErr as Error).message})`;
    }
    const message = err instanceof Error ? err.message : String(err);
    throw labError(`lab ${plan.lab} setup failed: ${firstLine(message)}${cleanup}`, { lab: plan.lab });
  }
}

export async function createTopology(spec: TopologySpec): Promise<Topology> {
  const started = performance.now();
  const plan = makePlan(spec);
  const labPrefix = `${NETNS_PREFIX}-${plan.lab}-`;
  const namespaces = [plan.bridgeNs, ...plan.nodes.map((n) => n.ns)];
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
  const entry = { namespaces, children: new Set<ChildProcess>() };
  installExitHook();
  live.add(entry);
  let neighbourTable: NeighbourTableStatus;
  try {
    neighbourTable = await build(plan, namespaces);
  } catch (err) {
    live.delete(entry);
    throw err;
  }
  return topologyHandle(plan, entry, neighbourTable, performance.now() - started);
}

/** The live lab's handle: names, commands inside its namespaces, and its one-time teardown. */
function topologyHandle(
  plan: Plan,
  entry: { namespaces: readonly string[]; children: Set<ChildProcess> },
  neighbourTable: NeighbourTableStatus,
  setupMs: number,
): Topology {
  const { namespaces, children } = entry;
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
