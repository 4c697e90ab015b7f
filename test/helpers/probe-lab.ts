/**
 * Scaffolding the probe tests under test/probes/ share: a loopback lab of personas (some with a
 * fault) for one describe block, probe runners against it, and the token soup their property
 * tests feed the parsers. Each file keeps its own 127.78.N addresses, windows and deadlines.
 */
import { isIP } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Exchange } from '../../src/core/exchange.ts';
import type { Observation } from '../../src/core/observation.ts';
import type { ScopeGuard } from '../../src/core/scope.ts';
import { PROBE_STATUSES } from '../../src/core/status.ts';
import type { PortSpec } from '../../src/engine/ports.ts';
import { createScopeGuard } from '../../src/engine/scope.ts';
import { type HostResult, type SweepOptions, sweep } from '../../src/engine/sweep.ts';
import { buildTargetSet } from '../../src/engine/targets.ts';
import { type LabHandle, startLoopbackLab } from '../../src/lab/lab.ts';
import { listPersonas, type Persona } from '../../src/lab/persona.ts';
import { observe } from '../../src/observations/observe.ts';
import { DEFAULT_SETTINGS } from '../../src/probes/settings.ts';
import type {
  Probe,
  ProbeContext,
  ProbeOutcome,
  ProbeSettings,
  ProbeTarget,
  ServiceName,
} from '../../src/probes/types.ts';
import { networkTransport, type Transport } from '../../src/transport/transport.ts';

let published: Persona[] | undefined;

/** The published persona whose id starts with `prefix` (fixtures/devices). */
export function persona(prefix: string): Persona {
  published ??= listPersonas();
  const p = published.find((x) => x.id.startsWith(prefix));
  if (!p) throw new Error(`no persona ${prefix}`);
  return p;
}

export interface LineupEntry<F extends string = string> {
  /** The name tests use for this persona's address (`at[key]`). */
  key: string;
  /** A published persona's id prefix, or a persona the test made. */
  persona: string | Persona;
  /** Set under the lab's `protocol` in the persona's faults. */
  fault?: F;
}

export interface FaultLabOptions {
  /** The first persona's address; the others follow in lineup order. */
  base: string;
  /** A function when the personas need what an earlier beforeAll made (a temp dir, a port). */
  lineup: LineupEntry[] | (() => LineupEntry[]);
  /** The persona `faults` key an entry's fault goes under. */
  protocol?: string;
  /** What the guard lets probes reach; the lab's own addresses when absent. */
  scope?: string[] | ((lab: LabHandle) => string[]);
  wsdPort?: number;
  wrongSource?: string;
  hostileXaddr?: string;
}

export interface RunnerOptions {
  timeoutMs: number;
  /** How long a UDP probe listens (ProbeContext.udpWindowMs). */
  windowMs: number;
  /** The parser `observations` come from; the observation table when absent. */
  observe?: (ex: Exchange) => Observation[];
  settings?: ProbeSettings;
  /** A service probe dials `port` for `service`; a follow-up probe's `url` may use the port too. */
  port?: number;
  service?: ServiceName;
  /** A follow-up probe's advertised URL. */
  url?: (host: string, port: number | undefined) => string;
}

export type RunOverrides = Partial<Pick<RunnerOptions, 'timeoutMs' | 'windowMs' | 'settings' | 'port'>>;

export interface ProbeRun {
  host: string;
  outcome: ProbeOutcome;
  exchanges: Exchange[];
  observations: Observation[];
}

/** Runs the probe on a lineup key's address, or on `key` itself when it is no key (an address). */
export type Runner = (key: string, overrides?: RunOverrides) => Promise<ProbeRun>;

export interface FaultLab {
  /** Lineup key → address, filled when the lab has started. */
  readonly at: Record<string, string>;
  readonly guard: ScopeGuard;
  readonly handle: LabHandle;
  runner(probe: Pick<Probe, 'run'>, options: RunnerOptions): Runner;
}

export function probeContext(
  guard: ScopeGuard,
  record: (ex: Exchange) => void,
  options: {
    timeoutMs: number;
    windowMs: number;
    settings?: ProbeSettings;
    wsdPort?: number;
    transport?: Transport;
  },
): ProbeContext {
  return {
    signal: AbortSignal.timeout(options.timeoutMs),
    guard,
    transport: options.transport ?? networkTransport,
    record,
    wsdPort: options.wsdPort ?? 3702,
    udpWindowMs: options.windowMs,
    settings: options.settings ?? DEFAULT_SETTINGS,
  };
}

/**
 * Call it in a describe body: it registers the beforeAll that starts the lab and the afterAll that
 * stops it. Hooks the file registers before this call run before the lab starts and after it stops
 * (vitest runs after-hooks in reverse), so a temp dir or a server the lineup needs outlives the lab.
 */
export function useFaultLab(options: FaultLabOptions): FaultLab {
  let lab: LabHandle | undefined;
  let guard: ScopeGuard | undefined;
  const at: Record<string, string> = {};
  // The probes must look for WS-Discovery where the lab answers it.
  const wsdPort = options.wsdPort ?? 3702;

  beforeAll(async () => {
    const lineup = typeof options.lineup === 'function' ? options.lineup() : options.lineup;
    lab = await startLoopbackLab({
      personas: lineup.map((l) => {
        const p = typeof l.persona === 'string' ? persona(l.persona) : l.persona;
        if (!l.fault) return p;
        if (!options.protocol) throw new Error(`${l.key}: a fault needs the lab's protocol`);
        return { ...p, faults: { [options.protocol]: l.fault } };
      }),
      base: options.base,
      wsdPort,
      ...(options.wrongSource ? { wrongSource: options.wrongSource } : {}),
      ...(options.hostileXaddr ? { hostileXaddr: options.hostileXaddr } : {}),
    });
    for (const [i, l] of lineup.entries()) {
      const address = lab.personas[i]?.address;
      if (!address) throw new Error('lab lost a persona');
      at[l.key] = address;
    }
    const scope = typeof options.scope === 'function' ? options.scope(lab) : (options.scope ?? lab.targets);
    guard = createScopeGuard(await buildTargetSet({ targets: scope }));
  });

  afterAll(async () => {
    await lab?.stop();
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the lab starts in beforeAll: use it inside a test');
    return value;
  };

  return {
    at,
    get guard() {
      return started(guard);
    },
    get handle() {
      return started(lab);
    },
    runner(probe, runnerOptions) {
      return async (key, overrides = {}) => {
        const o = { ...runnerOptions, ...overrides };
        const address = Object.hasOwn(at, key) ? at[key] : undefined;
        // A mistyped key must not quietly become a host that happens to give the expected status.
        if (address === undefined && !isIP(key))
          throw new Error(`${key} is neither a lineup key nor an address`);
        const host = address ?? key;
        const target: ProbeTarget = { host };
        if (o.service) {
          if (o.port === undefined) throw new Error(`a ${o.service} probe needs a port`);
          target.port = o.port;
          target.service = o.service;
        }
        if (o.url) target.url = o.url(host, o.port);
        const exchanges: Exchange[] = [];
        const outcome = await probe.run(
          target,
          probeContext(started(guard), (ex) => exchanges.push(ex), { ...o, wsdPort }),
        );
        expect(PROBE_STATUSES).toContain(outcome.status);
        expect(outcome.host).toBe(host);
        return { host, outcome, exchanges, observations: exchanges.flatMap(o.observe ?? observe) };
      };
    },
  };
}

/** Hostile-input text for a property test: the tokens a parser cares about, among random strings. */
export function tokenSoup(
  tokens: readonly string[],
  sizes: { stringLength: number; parts: number },
): fc.Arbitrary<string> {
  return fc
    .array(fc.oneof(fc.constantFrom(...tokens), fc.string({ maxLength: sizes.stringLength })), {
      maxLength: sizes.parts,
    })
    .map((parts) => parts.join(''));
}

/**
 * A whole sweep of a few loopback targets with no multicast and short windows: for tests of what
 * the engine does with a probe's results (follow-ups, scope refusals). `overrides` win.
 */
export async function sweepTargets(
  addresses: string[],
  ports: readonly PortSpec[],
  overrides: Partial<SweepOptions> = {},
): Promise<{ hosts: HostResult[]; outcomes: ProbeOutcome[] }> {
  const targets = await buildTargetSet({ targets: addresses });
  const hosts: HostResult[] = [];
  const outcomes: ProbeOutcome[] = [];
  await sweep({
    targets,
    guard: createScopeGuard(targets),
    ports,
    interfaces: [],
    signal: AbortSignal.timeout(30_000),
    concurrency: 4,
    perHost: 4,
    ratePerHost: 0,
    connectTimeoutMs: 1000,
    probeTimeoutMs: 4000,
    hostTimeoutMs: 20_000,
    wsdPort: 3702,
    udpWindowMs: 300,
    multicastWindowMs: 100,
    settings: DEFAULT_SETTINGS,
    onHost: (h) => hosts.push(h),
    onOutcome: (o) => outcomes.push(o),
    ...overrides,
  });
  return { hosts, outcomes };
}
