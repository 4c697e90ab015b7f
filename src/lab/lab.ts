import { once } from 'node:events';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { CamsweepError } from '../core/errors.ts';
import { bigIntToIp, ipToBigInt } from '../core/ip.ts';
import { PACKAGE_ROOT } from '../core/paths.ts';
import { DEFAULT_PORTS, formatPorts } from '../engine/ports.ts';
import type { TopologySpec } from './netns/plan.ts';
import { createTopology, netnsAvailable, type Topology } from './netns.ts';
import type { Persona } from './persona.ts';
import { type LabMode, labPort } from './ports.ts';
import { type PersonaServices, startPersona } from './services.ts';

export interface LabPersona {
  persona: Persona;
  address: string;
}

export interface LabHandle {
  mode: LabMode;
  personas: LabPersona[];
  /** Targets to sweep: exactly the lab's own addresses (a CIDR in netns mode). */
  targets: string[];
  /** Options the scan needs for this lab (ports, WS-Discovery port, interfaces). */
  scanArgs: string[];
  /** netns mode: run the scanner inside this namespace. */
  scannerNamespace?: string;
  topology?: Topology;
  stop(): Promise<void>;
}

export interface LoopbackLabOptions {
  personas: Persona[];
  /** The first persona's address; the rest follow (127.77.0.10, .11, …). */
  base?: string;
  wsdPort?: number;
  hostileXaddr?: string;
  wrongSource?: string;
}

/** The address `n` after `base` (127.77.0.10 + 2 → 127.77.0.12). */
function nthAddress(base: bigint, n: number): string {
  return bigIntToIp(base + BigInt(n), 4);
}

export function loopbackPorts(): string {
  return formatPorts(DEFAULT_PORTS.map((p) => ({ ...p, port: labPort(p.port, 'loopback') })));
}

/** Every persona on its own 127.x address, in this process. No root, no multicast. */
export async function startLoopbackLab(opts: LoopbackLabOptions): Promise<LabHandle> {
  const base = opts.base ?? '127.77.0.10';
  const first = isIP(base) === 4 ? ipToBigInt(base).value : undefined;
  if (first === undefined || first >> 24n !== 127n)
    throw new CamsweepError('LAB', `loopback lab address ${base} is not in 127.0.0.0/8`);
  const wsdPort = opts.wsdPort ?? 3702;
  const running: PersonaServices[] = [];
  try {
    for (const [i, persona] of opts.personas.entries()) {
      running.push(
        await startPersona(persona, nthAddress(first, i), {
          mode: 'loopback',
          wsdPort,
          ...(opts.hostileXaddr ? { hostileXaddr: opts.hostileXaddr } : {}),
          ...(opts.wrongSource ? { wrongSource: opts.wrongSource } : {}),
        }),
      );
    }
  } catch (err) {
    await Promise.all(running.map((r) => r.close()));
    const code = err && typeof err === 'object' && 'code' in err ? String(err.code) : '';
    throw new CamsweepError('LAB', `cannot start the loopback lab: ${code || String(err)}`);
  }
  return {
    mode: 'loopback',
    personas: running.map((r) => ({ persona: r.persona, address: r.address })),
    targets: running.map((r) => r.address),
    scanArgs: ['--ports', loopbackPorts(), '--wsd-port', String(wsdPort), '--interface', 'none'],
    stop: async () => {
      await Promise.all(running.map((r) => r.close()));
    },
  };
}

export interface NetnsLabOptions {
  personas: Persona[];
  lab?: string;
  /** Seconds each persona process lives at most, so nothing outlives a crashed lab for long. */
  lifetimeMs?: number;
  /**
   * `single`: every persona on one segment with the scanner. `segments`: personas spread over two
   * segments the scanner is on (s1, s2) and a third (s3) behind a router, which only unicast reaches.
   */
  layout?: 'single' | 'segments';
  /** With `segments`: which segment each persona goes on (default: round robin s1, s2, s3). */
  placement?: (persona: Persona, index: number) => LabSegment;
}

export type LabSegment = 's1' | 's2' | 's3';

export const NETNS_SEGMENT = '10.231.1.0/24';
export const NETNS_SCANNER = '10.231.1.254';
const SEGMENTS: readonly LabSegment[] = ['s1', 's2', 's3'];
const segmentCidr = (i: number) => `10.231.${i + 1}.0/24`;

interface PlacedPersona {
  persona: Persona;
  segment: LabSegment;
  address: string;
}

/** Segments, one host per persona (`p<i>`), the scanner, and with `spread` the router to s3. */
function netnsTopology(personas: readonly PlacedPersona[], spread: boolean, lab?: string): TopologySpec {
  return {
    ...(lab ? { lab } : {}),
    segments: spread
      ? SEGMENTS.map((name, i) => ({ name, cidr: segmentCidr(i) }))
      : [{ name: 's1', cidr: NETNS_SEGMENT }],
    hosts: personas.map((p, i) => ({
      name: `p${i}`,
      segment: p.segment,
      address: p.address,
      ...(p.persona.mac ? { mac: p.persona.mac } : {}),
    })),
    scanner: {
      name: 'scan',
      legs: spread
        ? [
            { segment: 's1', address: NETNS_SCANNER },
            { segment: 's2', address: '10.231.2.254' },
          ]
        : [{ segment: 's1', address: NETNS_SCANNER }],
    },
    ...(spread
      ? {
          routers: [
            {
              name: 'rtr',
              legs: [
                { segment: 's2', address: '10.231.2.1' },
                { segment: 's3', address: '10.231.3.1' },
              ],
            },
          ],
        }
      : {}),
  };
}

/** Runs src/lab/serve.ts for one persona inside host `p<i>`; resolves once it prints "ready". */
async function servePersonaIn(topology: Topology, p: PlacedPersona, i: number, lifetimeMs: number) {
  const child = topology.spawnIn(
    `p${i}`,
    process.execPath,
    [
      '--import',
      'tsx',
      join(PACKAGE_ROOT, 'src', 'lab', 'serve.ts'),
      p.persona.dir,
      p.address,
      String(lifetimeMs),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: PACKAGE_ROOT },
  );
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code) =>
      reject(new Error(`persona ${p.persona.id} exited (${code}): ${err.trim()}`)),
    );
  });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`persona ${p.persona.id} did not start`)), 20_000).unref(),
  );
  await Promise.race([ready, timeout]);
}

/**
 * One namespace per persona on a bridge, with the persona's own MAC, real multicast, and a
 * scanner namespace. Nothing is attached to the root namespace.
 */
export async function startNetnsLab(opts: NetnsLabOptions): Promise<LabHandle> {
  const avail = netnsAvailable();
  if (!avail.ok) throw new CamsweepError('LAB', `the netns lab needs root: ${avail.reason}`);
  const spread = opts.layout === 'segments';
  const personas = opts.personas.map((persona, i): PlacedPersona => {
    const segment = spread ? (opts.placement?.(persona, i) ?? SEGMENTS[i % SEGMENTS.length] ?? 's1') : 's1';
    const seg = SEGMENTS.indexOf(segment);
    return { persona, segment, address: `10.231.${seg + 1}.${10 + i}` };
  });
  const topology = await createTopology(netnsTopology(personas, spread, opts.lab));
  try {
    await Promise.all(personas.map((p, i) => servePersonaIn(topology, p, i, opts.lifetimeMs ?? 600_000)));
  } catch (err) {
    await topology.destroy();
    throw new CamsweepError(
      'LAB',
      `cannot start the netns lab: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return {
    mode: 'netns',
    personas: personas.map(({ persona, address }) => ({ persona, address })),
    targets: spread ? SEGMENTS.map((_, i) => segmentCidr(i)) : [NETNS_SEGMENT],
    scanArgs: ['--interface', 'auto'],
    scannerNamespace: topology.namespaceOf('scan'),
    topology,
    stop: () => topology.destroy(),
  };
}

export async function waitForSignal(): Promise<NodeJS.Signals> {
  const ac = new AbortController();
  const which = await Promise.race([
    once(process, 'SIGINT', { signal: ac.signal }).then(() => 'SIGINT' as const),
    once(process, 'SIGTERM', { signal: ac.signal }).then(() => 'SIGTERM' as const),
  ]);
  ac.abort();
  return which;
}
