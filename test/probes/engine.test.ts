/**
 * The sweep engine over a small loopback lab (scope on every dial and follow-up, exclusions,
 * abort) and the adaptive connection limit. Addresses: 127.78.4.0/24, plus 127.78.250.2 for the
 * hostile XAddr listener.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Exchange } from '../../src/core/exchange.ts';
import { PROBE_STATUSES } from '../../src/core/status.ts';
import { AdaptiveLimit } from '../../src/engine/limits.ts';
import type { PortSpec } from '../../src/engine/ports.ts';
import { createScopeGuard } from '../../src/engine/scope.ts';
import { type HostResult, type SweepOptions, type SweepStats, sweep } from '../../src/engine/sweep.ts';
import { buildTargetSet, type TargetSet } from '../../src/engine/targets.ts';
import { type LabHandle, startLoopbackLab } from '../../src/lab/lab.ts';
import { listPersonas, type Persona } from '../../src/lab/persona.ts';
import { DEFAULT_SETTINGS } from '../../src/probes/settings.ts';
import type { ProbeOutcome } from '../../src/probes/types.ts';

const NET = '127.78.4';
const HOSTILE = '127.78.250.2';
const EMPTY = `${NET}.50`;
const EXCLUDED = `${NET}.60`;
const UNTOUCHED = `${NET}.70`;
const HTTP_PORT = 20080;
const PORTS: PortSpec[] = [
  { port: HTTP_PORT, service: 'http' },
  { port: 8000, service: 'hik-sdk' },
];

const ALL = listPersonas();
function persona(prefix: string): Persona {
  const p = ALL.find((x) => x.id.startsWith(prefix));
  if (!p) throw new Error(`no persona ${prefix}`);
  return p;
}

interface Counter {
  port: number;
  count(): number;
  close(): Promise<void>;
}

/** A TCP listener that counts connections: the tests that use one expect it never to be dialled. */
async function countingServer(host: string, port = 0): Promise<Counter> {
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections += 1;
    socket.on('error', () => {});
    socket.end('HTTP/1.1 200 OK\r\nServer: must-not-be-reached\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    count: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A UDP socket that counts datagrams (a WS-Discovery port that must stay untouched). */
async function countingUdp(host: string, port: number): Promise<{ count(): number; close(): void }> {
  let datagrams = 0;
  const socket: UdpSocket = createSocket('udp4');
  socket.on('message', () => {
    datagrams += 1;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => resolve());
  });
  return { count: () => datagrams, close: () => socket.close() };
}

function options(
  targets: TargetSet,
  signal: AbortSignal,
  sink: { hosts: HostResult[]; outcomes: ProbeOutcome[]; exchanges: Exchange[] },
  overrides: Partial<SweepOptions> = {},
): SweepOptions {
  return {
    targets,
    guard: createScopeGuard(targets),
    ports: PORTS,
    interfaces: [],
    signal,
    concurrency: 16,
    perHost: 4,
    ratePerHost: 0,
    connectTimeoutMs: 1000,
    probeTimeoutMs: 5000,
    hostTimeoutMs: 20_000,
    wsdPort: 3702,
    udpWindowMs: 300,
    multicastWindowMs: 100,
    settings: DEFAULT_SETTINGS,
    onHost: (r) => sink.hosts.push(r),
    onOutcome: (o) => sink.outcomes.push(o),
    onExchange: (ex) => sink.exchanges.push(ex),
    ...overrides,
  };
}

describe('sweep() over the loopback lab', () => {
  let lab: LabHandle;
  let abortLab: LabHandle;
  let hostile: Counter;
  let excluded: Counter;
  let excludedUdp: { count(): number; close(): void };
  let untouched: Counter;
  const at: Record<string, string> = {};

  beforeAll(async () => {
    hostile = await countingServer(HOSTILE);
    excluded = await countingServer(EXCLUDED, HTTP_PORT);
    excludedUdp = await countingUdp(EXCLUDED, 3702);
    untouched = await countingServer(UNTOUCHED, HTTP_PORT);
    const lineup = [
      { key: 'hikvision', persona: persona('hikvision-ds-2cd2385g1') },
      {
        key: 'hostile',
        persona: { ...persona('dahua-ipc-hdw1025c'), faults: { wsd: 'hostile-xaddr' as const } },
      },
      { key: 'bosch', persona: persona('bosch-flexidome') },
    ];
    lab = await startLoopbackLab({
      personas: lineup.map((l) => l.persona),
      base: `${NET}.10`,
      wsdPort: 3702,
      hostileXaddr: `http://${HOSTILE}:${hostile.port}/onvif/device_service`,
    });
    for (const [i, l] of lineup.entries()) {
      const address = lab.personas[i]?.address;
      if (!address) throw new Error('lab lost a persona');
      at[l.key] = address;
    }
    // A device that accepts and never answers HTTP, for the abort test.
    abortLab = await startLoopbackLab({
      personas: [{ ...persona('axis-m2036'), faults: { http: 'hang' } }],
      base: `${NET}.30`,
      wsdPort: 3702,
    });
  });

  afterAll(async () => {
    await lab?.stop();
    await abortLab?.stop();
    await hostile?.close();
    await excluded?.close();
    await untouched?.close();
    excludedUdp?.close();
  });

  it('reports every persona, follows in-scope XAddrs, refuses the hostile one, never dials an excluded address', async () => {
    const targets = await buildTargetSet({
      targets: [`${NET}.10-${NET}.12`, `${NET}.48-${NET}.63`],
      exclude: [EXCLUDED],
    });
    expect(targets.contains(EMPTY)).toBe(true);
    expect(targets.contains(EXCLUDED)).toBe(false);
    const sink = { hosts: [] as HostResult[], outcomes: [] as ProbeOutcome[], exchanges: [] as Exchange[] };
    const stats: SweepStats = await sweep(options(targets, AbortSignal.timeout(60_000), sink));

    expect(stats.complete).toBe(true);
    expect(stats.addressesDone).toBe(Number(targets.count()));
    // Every persona is reported, and only the personas: the empty address is absent.
    expect(sink.hosts.map((h) => h.host).sort()).toEqual([...lab.targets].sort());
    expect(stats.live).toBe(lab.targets.length);
    for (const h of sink.hosts) {
      expect(h.state).toBe('live');
      expect(h.openPorts).toContain(HTTP_PORT);
      const probes = new Set(h.exchanges.map((ex) => ex.probe));
      // The hostile persona's only XAddr is out of scope, so it alone has no ONVIF exchange.
      const followed = h.host === at.hostile ? [] : ['onvif-soap'];
      // The Dahua persona (the hostile one here) also answers DHIP discovery (its dhip.yaml) and
      // the legacy discovery on UDP 5050 (its dahua-legacy.yaml).
      const dhip = h.host === at.hostile ? ['dhip-unicast', 'dahua-legacy-discovery'] : [];
      // The Hikvision persona also answers SADP and mDNS (its sadp.yaml and mdns.yaml).
      const sadp = h.host === at.hikvision ? ['sadp-unicast', 'mdns-unicast'] : [];
      // After the root page the HTTP probe fetches /favicon.ico (and vendor paths) as http-extras.
      expect(probes).toEqual(
        new Set(['tcp-connect', 'http-banner', 'http-extras', 'wsd-unicast', ...followed, ...dhip, ...sadp]),
      );
      for (const o of h.outcomes) expect(PROBE_STATUSES).toContain(o.status);
    }

    // In-scope XAddrs are followed: the Hikvision and Bosch device services answered.
    for (const key of ['hikvision', 'bosch']) {
      const h = sink.hosts.find((x) => x.host === at[key]);
      const onvif = h?.outcomes.find((o) => o.probe === 'onvif-soap');
      expect(onvif?.status, key).toBe('success');
      expect(h?.exchanges.filter((ex) => ex.probe === 'onvif-soap')).toHaveLength(5);
    }

    // The hostile persona advertised an XAddr outside the targets: reported, never dialled.
    expect(hostile.count()).toBe(0);
    const refused = sink.outcomes.filter((o) => o.status === 'out-of-scope');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ probe: 'onvif-soap', host: at.hostile });
    expect(refused[0]?.detail).toContain(`http://${HOSTILE}:${hostile.port}/onvif/device_service`);
    expect(stats.outOfScope).toBe(1);
    const hostileHost = sink.hosts.find((x) => x.host === at.hostile);
    expect(hostileHost?.outcomes).toContainEqual(refused[0]);
    expect(hostileHost?.exchanges.some((ex) => ex.probe === 'onvif-soap')).toBe(false);

    // The excluded address was never contacted, over TCP or UDP.
    expect(excluded.count()).toBe(0);
    expect(excludedUdp.count()).toBe(0);

    // Nothing outside the targets in any result or exchange.
    for (const h of sink.hosts) {
      expect(targets.contains(h.host)).toBe(true);
      for (const ex of h.exchanges) expect(targets.contains(ex.host), ex.host).toBe(true);
    }
    for (const ex of sink.exchanges) expect(targets.contains(ex.host), ex.host).toBe(true);
  }, 60_000);

  it('aborting mid-sweep ends it promptly, incomplete, with no unhandled rejections', async () => {
    const hang = abortLab.targets[0] ?? '';
    const targets = await buildTargetSet({ targets: [hang, `${NET}.64-${NET}.127`] });
    const controller = new AbortController();
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const sink = { hosts: [] as HostResult[], outcomes: [] as ProbeOutcome[], exchanges: [] as Exchange[] };
      let aborted = false;
      const run = sweep(
        options(targets, controller.signal, sink, {
          // One worker, long deadlines: without the abort this sweep would run for minutes.
          concurrency: 1,
          probeTimeoutMs: 120_000,
          hostTimeoutMs: 240_000,
          onExchange: (ex) => {
            sink.exchanges.push(ex);
            // The port answered; the HTTP probe now waits on a device that never speaks.
            if (!aborted && ex.host === hang && ex.probe === 'tcp-connect') {
              aborted = true;
              setTimeout(() => controller.abort(), 300);
            }
          },
        }),
      );
      // A bound, not a measurement: the sweep must end long before its own deadlines would.
      let bound: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        run,
        new Promise<'still running'>((resolve) => {
          bound = setTimeout(() => resolve('still running'), 10_000);
        }),
      ]);
      clearTimeout(bound);
      expect(aborted).toBe(true);
      expect(result).not.toBe('still running');
      const stats = result as SweepStats;
      expect(stats.complete).toBe(false);
      expect(stats.addressesDone).toBeLessThan(Number(targets.count()));
      for (const h of sink.hosts) expect(targets.contains(h.host)).toBe(true);
      for (const o of sink.outcomes) expect(PROBE_STATUSES).toContain(o.status);
      // Let any stray promise settle before looking for unhandled rejections.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  }, 30_000);

  it('a sweep whose signal is already aborted dials nothing', async () => {
    const targets = await buildTargetSet({ targets: [UNTOUCHED] });
    const sink = { hosts: [] as HostResult[], outcomes: [] as ProbeOutcome[], exchanges: [] as Exchange[] };
    const stats = await sweep(options(targets, AbortSignal.abort(), sink));
    expect(stats.complete).toBe(false);
    expect(sink.hosts).toEqual([]);
    expect(sink.exchanges).toEqual([]);
    expect(untouched.count()).toBe(0);
  });
});

describe('AdaptiveLimit', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /**
   * Fakes Date from `start`; each call of the returned function moves the clock 600 ms on, past
   * the cool-down, so the next pressure() is a new burst.
   */
  function burstClock(start: number): () => void {
    vi.useFakeTimers({ toFake: ['Date'] });
    let now = start;
    return () => {
      now += 600;
      vi.setSystemTime(now);
    };
  }

  /** `limit` after `bursts` separate bursts of pressure, the clock faked from `start`. */
  function cutByBursts(limit: AdaptiveLimit, bursts: number, start: number): AdaptiveLimit {
    const nextBurst = burstClock(start);
    for (let i = 0; i < bursts; i++) {
      nextBurst();
      limit.pressure();
    }
    return limit;
  }

  it('pressure() halves the cap, once per burst, and never below min', () => {
    const nextBurst = burstClock(1_000_000);
    vi.setSystemTime(1_000_000);
    const limit = new AdaptiveLimit(64, 4);
    expect(limit.current).toBe(64);
    limit.pressure();
    expect(limit.current).toBe(32);
    // The same burst of EMFILEs cuts once.
    limit.pressure();
    limit.pressure();
    expect(limit.current).toBe(32);
    expect(limit.pressureEvents).toBe(3);
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      nextBurst();
      limit.pressure();
      seen.push(limit.current);
    }
    expect(seen).toEqual([16, 8, 4, 4, 4, 4]);
  });

  it('the default floor is 16, or max when max is smaller', () => {
    const nextBurst = burstClock(5_000_000);
    const big = new AdaptiveLimit(1024);
    const small = new AdaptiveLimit(8);
    for (let i = 0; i < 12; i++) {
      nextBurst();
      big.pressure();
      small.pressure();
    }
    expect(big.current).toBe(16);
    expect(small.current).toBe(8);
  });

  it('success() grows the cap back gradually, up to max and never past it', () => {
    const limit = cutByBursts(new AdaptiveLimit(64, 4), 5, 2_000_000);
    expect(limit.current).toBe(4);
    // Additive increase: one success does not undo a cut.
    limit.success();
    limit.success();
    limit.success();
    expect(limit.current).toBe(4);
    let steps = 0;
    let previous = limit.current;
    while (limit.current < 64 && steps < 100_000) {
      limit.success();
      steps += 1;
      // Never more than a small step at a time.
      expect(limit.current - previous).toBeLessThanOrEqual(2);
      previous = limit.current;
    }
    expect(limit.current).toBe(64);
    expect(steps).toBeGreaterThan(60);
    for (let i = 0; i < 1000; i++) limit.success();
    expect(limit.current).toBe(64);
  });

  it('run() keeps no more tasks in flight than the current cap', async () => {
    const limit = cutByBursts(new AdaptiveLimit(8, 2), 3, 3_000_000);
    expect(limit.current).toBe(2);
    let inFlight = 0;
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        limit.run(async () => {
          inFlight += 1;
          most = Math.max(most, inFlight);
          await new Promise((resolve) => setImmediate(resolve));
          inFlight -= 1;
          return i;
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBe(2);
  });
});
