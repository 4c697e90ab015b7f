import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import type { Exchange } from '../core/exchange.ts';
import type { Observation } from '../core/observation.ts';
import { classify, errorCode, isResourceError } from '../core/status.ts';
import { FOLLOW_UP_PROBES, HOST_PROBES, MULTICAST_DISCOVERY, SERVICE_PROBES } from '../probes/index.ts';
import type { FollowUp, Probe, ProbeContext, ProbeOutcome, ProbeSettings } from '../probes/types.ts';
import type { LocalInterface } from '../transport/multicast.ts';
import { localSegmentTest, NeighbourSnapshots } from '../transport/neighbour.ts';
import { tcpConnect } from '../transport/tcp.ts';
import { deadline, withDeadline } from './deadline.ts';
import { runMulticastDiscovery } from './discovery.ts';
import { AdaptiveLimit, HostRate, sleep } from './limits.ts';
import type { PortSpec } from './ports.ts';
import type { ScopeGuard } from '../core/scope.ts';
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

/** A connect that failed faster than ARP could have: the kernel's table, not the host. */
const FAST_UNREACHABLE_MS = 400;
const MAX_RETRIES = 5;

/** Opt-in probes run only when asked for; any probe can be switched off. */
export function isEnabled(probe: { id: string; optIn?: boolean }, settings: ProbeSettings): boolean {
  if (settings.disabled.has(probe.id)) return false;
  return !probe.optIn || settings.enabled.has(probe.id);
}
const ARP_GRACE_MS = 2000;

type ConnectResult = 'open' | 'refused' | 'unreachable' | 'timeout' | 'untested' | 'error';

export async function sweep(opts: SweepOptions): Promise<SweepStats> {
  // Thousands of probes listen on the one sweep signal; that is by design, not a leak.
  setMaxListeners(0, opts.signal);
  const stats: SweepStats = {
    addressesDone: 0,
    live: 0,
    untested: 0,
    outOfScope: 0,
    pressureEvents: 0,
    statuses: {},
    complete: false,
    multicastMs: 0,
  };
  const connections = new AdaptiveLimit(opts.concurrency);
  const neighbours = new NeighbourSnapshots();
  // Interfaces do not change during a sweep; looking them up per host cost 3% of a /16's CPU.
  const isLocal = localSegmentTest();
  const rate = new HostRate(opts.ratePerHost);
  const outcome = (o: ProbeOutcome) => {
    stats.statuses[o.status] = (stats.statuses[o.status] ?? 0) + 1;
    if (o.status === 'out-of-scope') stats.outOfScope += 1;
    opts.onOutcome?.(o);
  };

  // Phase 1: multicast discovery runs while the connect sweep starts; hosts wait for it before
  // they are reported, so one device's multicast and unicast evidence meet.
  const multicastByHost = new Map<string, Exchange[]>();
  const discoveries = MULTICAST_DISCOVERY.filter((d) => isEnabled(d, opts.settings));
  const phase1Started = Date.now();
  const phase1 = Promise.all(
    discoveries.map(async (d) => {
      const r = await runMulticastDiscovery(d, opts.interfaces, opts.guard, {
        signal: opts.signal,
        windowMs: opts.multicastWindowMs,
      });
      for (const ex of r.exchanges) {
        opts.onExchange?.(ex);
        const list = multicastByHost.get(ex.host) ?? [];
        list.push(ex);
        multicastByHost.set(ex.host, list);
      }
      for (const from of r.outOfScope) {
        outcome({
          probe: d.id,
          host: from,
          status: 'out-of-scope',
          detail: 'responder is not in the targets',
        });
      }
    }),
  ).then(() => {
    if (opts.interfaces.length > 0 && discoveries.length > 0) stats.multicastMs = Date.now() - phase1Started;
  });

  /**
   * `discovery` marks a host's first connect. Only there does a fast EHOSTUNREACH mean a full
   * neighbour table: after the kernel has once failed to resolve a host, it answers later
   * connects to it at once from its FAILED neighbour entry, and that is a real "absent".
   */
  const connectOnce = async (
    host: string,
    port: number,
    signal: AbortSignal,
    discovery: boolean,
  ): Promise<ConnectResult> => {
    // ARP gives up after about 3 s; a discovery connect waits that long so that an absent LAN host
    // is told apart from a silent one.
    const timeout = discovery ? opts.connectTimeoutMs + ARP_GRACE_MS : opts.connectTimeoutMs;
    for (let attempt = 0; attempt <= MAX_RETRIES; attempt++) {
      if (signal.aborted) return 'untested';
      await rate.take(host, signal);
      const started = Date.now();
      try {
        await connections.run(() =>
          withDeadline(signal, timeout, (s) => tcpConnect(opts.guard, host, port, s)),
        );
        connections.success();
        return 'open';
      } catch (err) {
        const code = errorCode(err);
        if (code === 'ECONNREFUSED') {
          connections.success();
          return 'refused';
        }
        const fast = Date.now() - started < FAST_UNREACHABLE_MS;
        if (
          isResourceError(err) ||
          ((code === 'EHOSTUNREACH' || code === 'ENETUNREACH') && fast && discovery && attempt === 0)
        ) {
          // Slow down and try again: reporting "absent" here would silently lose hosts.
          connections.pressure();
          stats.pressureEvents += 1;
          await sleep(100 * 2 ** attempt + Math.random() * 100, signal);
          continue;
        }
        if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EHOSTDOWN') return 'unreachable';
        const status = classify(err);
        if (status === 'connection-timeout') return signal.aborted ? 'untested' : 'timeout';
        if (status === 'out-of-scope') return 'error';
        return 'error';
      }
    }
    return 'untested';
  };

  const runProbeOnce = async (
    probe: Probe,
    host: string,
    port: number | undefined,
    hostSignal: AbortSignal,
    url?: string,
  ): Promise<ProbeOutcome> => {
    const probeDeadline = deadline(hostSignal, opts.probeTimeoutMs);
    const ctx: ProbeContext = {
      signal: probeDeadline.signal,
      guard: opts.guard,
      wsdPort: opts.wsdPort,
      udpWindowMs: opts.udpWindowMs,
      settings: opts.settings,
      record: (ex) => {
        exchangesOf(host).push(ex);
        opts.onExchange?.(ex);
      },
    };
    try {
      return await probe.run({ host, ...(port !== undefined ? { port } : {}), ...(url ? { url } : {}) }, ctx);
    } catch (err) {
      // Probes should not throw; if one does, it costs that probe only.
      return {
        probe: probe.id,
        host,
        ...(port !== undefined ? { port } : {}),
        status: classify(err),
        detail: String(err),
      };
    } finally {
      probeDeadline.dispose();
    }
  };

  /** A probe the kernel refused to run (EMFILE, ENOBUFS) is retried after a slowdown, not lost. */
  const runProbe = async (
    probe: Probe,
    host: string,
    port: number | undefined,
    hostSignal: AbortSignal,
    url?: string,
  ): Promise<ProbeOutcome> => {
    let result = await connections.run(() => runProbeOnce(probe, host, port, hostSignal, url));
    for (
      let attempt = 0;
      result.status === 'limit-exceeded' && attempt < MAX_RETRIES && !hostSignal.aborted;
      attempt++
    ) {
      connections.pressure();
      stats.pressureEvents += 1;
      await sleep(100 * 2 ** attempt + Math.random() * 100, hostSignal);
      result = await connections.run(() => runProbeOnce(probe, host, port, hostSignal, url));
    }
    outcome(result);
    return result;
  };

  const hostExchanges = new Map<string, Exchange[]>();
  const exchangesOf = (host: string) => {
    let list = hostExchanges.get(host);
    if (!list) {
      list = [];
      hostExchanges.set(host, list);
    }
    return list;
  };

  const sweepHost = async (host: string): Promise<void> => {
    const hostDeadline = deadline(opts.signal, opts.hostTimeoutMs);
    // Each probe of the host takes a deadline on this signal: up to perHost service probes and
    // every host probe at once, more than Node's default warning threshold of 10.
    setMaxListeners(opts.perHost + HOST_PROBES.length + 2, hostDeadline.signal);
    try {
      await sweepHostWithin(host, hostDeadline.signal);
    } finally {
      hostDeadline.dispose();
    }
  };

  const sweepHostWithin = async (host: string, hostSignal: AbortSignal): Promise<void> => {
    const hostStarted = Date.now();
    const perHost = pLimit(opts.perHost);
    const open: number[] = [];
    let responded = false;
    let untested = false;
    const record = (port: number, r: ConnectResult) => {
      if (r === 'open') {
        open.push(port);
        const ex: Exchange = {
          type: 'exchange',
          host,
          port,
          transport: 'tcp',
          protocol: 'tcp',
          probe: 'tcp-connect',
          response: '',
          encoding: 'utf8',
          at: new Date().toISOString(),
        };
        exchangesOf(host).push(ex);
        opts.onExchange?.(ex);
      }
      if (r === 'open' || r === 'refused') responded = true;
      if (r === 'untested') untested = true;
    };
    // The first port doubles as host discovery: an absent LAN host costs one ARP timeout, not ten.
    const [first, ...rest] = opts.ports;
    const local = isLocal(host);
    if (first) {
      let r = await connectOnce(host, first.port, hostSignal, true);
      // On a local segment a host that never answered ARP is absent, whatever TCP said: the kernel
      // rate-limits the EHOSTUNREACH it reports, so many absent hosts surface as timeouts.
      if (r === 'timeout' && local && !(await neighbours.after(Date.now())).get(host)?.complete)
        r = 'unreachable';
      record(first.port, r);
      if (r !== 'unreachable') {
        const results = await Promise.all(
          rest.map((p) => perHost(() => connectOnce(host, p.port, hostSignal, false))),
        );
        for (const [i, p] of rest.entries()) record(p.port, results[i] ?? 'error');
      }
    }
    open.sort((a, b) => a - b);
    await phase1;
    const multicast = multicastByHost.get(host) ?? [];
    exchangesOf(host).push(...multicast);
    const followUps: FollowUp[] = [];
    for (const ex of multicast) {
      const d = MULTICAST_DISCOVERY.find((x) => x.id === ex.probe);
      followUps.push(...(d?.followUps?.(ex) ?? []));
    }
    const outcomes: ProbeOutcome[] = [];
    if (open.length > 0 && !hostSignal.aborted) {
      const tasks: Promise<ProbeOutcome>[] = [];
      for (const port of open) {
        const service = opts.ports.find((p) => p.port === port)?.service ?? 'unknown';
        for (const probe of SERVICE_PROBES) {
          if (probe.services.includes(service) && isEnabled(probe, opts.settings)) {
            tasks.push(perHost(() => runProbe(probe, host, port, hostSignal)));
          }
        }
      }
      for (const probe of HOST_PROBES) {
        if (!isEnabled(probe, opts.settings)) continue;
        if (probe.skipIfMulticast && multicast.some((ex) => ex.protocol === probe.skipIfMulticast)) continue;
        tasks.push(runProbe(probe, host, undefined, hostSignal));
      }
      const results = await Promise.all(tasks);
      outcomes.push(...results);
      for (const r of results) followUps.push(...(r.followUps ?? []));
    }
    // Follow-ups: every advertised address passes the scope guard before anything is dialled.
    const seen = new Set<string>();
    for (const f of followUps) {
      if (hostSignal.aborted) break;
      const probe = FOLLOW_UP_PROBES[f.probe];
      if (!probe || !isEnabled(probe, opts.settings)) continue;
      const decision = opts.guard.checkUrl(f.url);
      if (!decision.allowed) {
        const o: ProbeOutcome = {
          probe: probe.id,
          host,
          status: 'out-of-scope',
          detail: `${f.url} not dialled: ${decision.reason}`,
        };
        outcome(o);
        outcomes.push(o);
        continue;
      }
      const key = `${f.probe} ${f.url}`;
      if (seen.has(key)) continue;
      seen.add(key);
      outcomes.push(await runProbe(probe, decision.address, undefined, hostSignal, f.url));
    }
    const exchanges = hostExchanges.get(host) ?? [];
    hostExchanges.delete(host);
    const observations: Observation[] = [];
    const neighbour =
      local && exchanges.length > 0 ? (await neighbours.after(Date.now())).get(host) : undefined;
    if (neighbour?.complete) {
      observations.push({
        type: 'observation',
        host,
        field: 'mac.address',
        value: neighbour.mac,
        probe: 'neighbour',
      });
    }
    rate.forget(host);
    // A host that only refused connections exists, but offers nothing to identify.
    const state: HostState = exchanges.length > 0 ? 'live' : untested && !responded ? 'untested' : 'absent';
    if (state === 'live') stats.live += 1;
    if (state === 'untested') stats.untested += 1;
    stats.addressesDone += 1;
    opts.onProgress?.(stats.addressesDone);
    opts.onHostDone?.(host, state, Date.now() - hostStarted);
    if (state === 'live') {
      try {
        opts.onHost({ host, state, openPorts: open, exchanges, observations, outcomes });
      } catch (err) {
        // A reporting failure for one host must not end the sweep for all the others.
        opts.onHostError?.(host, err);
      }
    }
  };

  // A fixed set of workers pulls addresses from the lazy generator: a /16 never sits in memory.
  const iterator = opts.targets.addresses();
  const workers = Math.max(1, Math.min(opts.concurrency, 4096));
  const worker = async () => {
    while (!opts.signal.aborted) {
      const next = iterator.next();
      if (next.done) return;
      await sweepHost(next.value);
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  await phase1;
  stats.complete = !opts.signal.aborted;
  return stats;
}
