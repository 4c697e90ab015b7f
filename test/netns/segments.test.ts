/**
 * Real multicast and routing: personas on two segments the scanner is on and on a third behind a
 * router. Multicast finds the personas of the chosen segments; the routed segment is reached only
 * by the unicast probes. Needs root; in CI (CI=true) a missing capability fails.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Exchange } from '../../src/core/exchange.ts';
import { type LabHandle, startNetnsLab } from '../../src/lab/lab.ts';
import { linkLocalOf } from '../../src/lab/netns/batch.ts';
import { netnsAvailable } from '../../src/lab/netns.ts';
import { listPersonas } from '../../src/lab/persona.ts';
import { MULTICAST_DISCOVERY } from '../../src/probes/index.ts';
import { assertPersonaVerdicts, readValidEvents } from '../e2e/expectations.ts';
import { runCli } from '../helpers/cli.ts';

const availability = netnsAvailable();
if (!availability.ok && process.env.CI === 'true') {
  throw new Error(`netns tests cannot run in CI: ${availability.reason}`);
}
if (!availability.ok) console.warn(`netns segment tests skipped: ${availability.reason}`);
const suite = availability.ok ? describe : describe.skip;

function segmentOf(address: string): string {
  return address.split('.')[2] === '1' ? 's1' : address.split('.')[2] === '2' ? 's2' : 's3';
}

suite('multicast per interface, unicast across a router', () => {
  let lab: LabHandle;
  let dir: string;

  async function sweep(name: string, iface: string[]) {
    const ns = lab.scannerNamespace;
    if (!ns) throw new Error('no scanner namespace');
    const out = join(dir, `${name}.jsonl`);
    const record = join(dir, `${name}-ex.jsonl`);
    const r = await runCli(
      ['scan', ...lab.targets, '--interface', ...iface, '--out', out, '--record', record, '--quiet'],
      {
        namespace: ns,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const exchanges = readFileSync(record, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Exchange)
      .filter((e) => e.type === 'exchange');
    return { events: readValidEvents(out), exchanges };
  }

  /** Which multicast protocols a persona answers: WS-Discovery (ONVIF types) or a responder config file. */
  function multicastProtocols(p: LabHandle['personas'][number]): string[] {
    const out: string[] = [];
    if (p.persona.services.wsd && p.persona.kind !== 'printer') out.push('wsd');
    for (const [protocol, file] of [
      ['sadp', 'sadp.yaml'],
      ['dhip', 'dhip.yaml'],
      ['mdns', 'mdns.yaml'],
      ['ssdp', 'ssdp.yaml'],
    ] as const) {
      if (existsSync(join(p.persona.dir, file))) out.push(protocol);
    }
    return out;
  }

  function multicastSpeakers() {
    return lab.personas.filter((p) => multicastProtocols(p).includes('wsd'));
  }

  /** Protocols that define an IPv6 group (WS-Discovery, SSDP, mDNS). */
  const v6Protocols = new Set<string>(MULTICAST_DISCOVERY.filter((d) => d.groupV6).map((d) => d.protocol));

  /**
   * Each persona is found by every multicast protocol it speaks exactly when its segment was
   * chosen: over IPv4 from its own address, and (for protocols with an IPv6 group) over IPv6 from
   * its link-local address, the exchange naming its in-scope IPv4 address as host.
   */
  function expectMulticastBySegment(exchanges: Exchange[], chosen: (segment: string) => boolean) {
    let checked = 0;
    let checkedV6 = 0;
    for (const p of lab.personas) {
      const linkLocal = linkLocalOf({ ip: p.address, ...(p.persona.mac ? { mac: p.persona.mac } : {}) });
      for (const protocol of multicastProtocols(p)) {
        const mc = exchanges.filter(
          (e) => e.transport === 'multicast' && e.protocol === protocol && e.host === p.address,
        );
        const where = `${p.persona.id} (${segmentOf(p.address)}) by multicast ${protocol}`;
        expect(
          mc.some((e) => e.source === undefined),
          `${where} over IPv4`,
        ).toBe(chosen(segmentOf(p.address)));
        checked += 1;
        if (!v6Protocols.has(protocol)) continue;
        expect(
          mc.some((e) => e.source?.startsWith(`${linkLocal}%`)),
          `${where} over IPv6 from ${linkLocal}`,
        ).toBe(chosen(segmentOf(p.address)));
        checkedV6 += 1;
      }
    }
    // No IPv6 reply is ever recorded under its link-local address: nobody targeted it.
    expect(exchanges.filter((e) => e.host.startsWith('fe80:'))).toEqual([]);
    expect(checkedV6).toBeGreaterThanOrEqual(3);
    // The lab must really exercise several protocols, or this test proves little.
    expect(new Set(lab.personas.flatMap(multicastProtocols)).size).toBeGreaterThanOrEqual(5);
    expect(checked).toBeGreaterThan(5);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'camsweep-segments-'));
    // Placed by hand, not by sort order, so that adding a persona cannot leave a protocol without a
    // speaker on the attached segments: the routed segment gets WS-Discovery and SADP/DHIP speakers
    // (to prove multicast does not cross the router) and the personas that speak no multicast.
    const routed = ['bosch-', 'hiwatch-', 'honeypot-', 'hikvision-nvr-dvrdvs', 'axis-m1011'];
    let attached = 0;
    lab = await startNetnsLab({
      personas: listPersonas(),
      layout: 'segments',
      placement: (p) => (routed.some((r) => p.id.startsWith(r)) ? 's3' : attached++ % 2 === 0 ? 's1' : 's2'),
      lifetimeMs: 170_000,
    });
  });

  afterAll(async () => {
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('with --interface all: multicast on both attached segments, unicast for the routed one', async () => {
    const { events, exchanges } = await sweep('all', ['all']);
    assertPersonaVerdicts(events, lab.personas);
    expectMulticastBySegment(exchanges, (segment) => segment !== 's3');
    for (const p of multicastSpeakers()) {
      const mc = exchanges.some((e) => e.transport === 'multicast' && e.host === p.address);
      expect(mc, `${p.persona.id} on ${segmentOf(p.address)} by multicast`).toBe(
        segmentOf(p.address) !== 's3',
      );
      if (segmentOf(p.address) === 's3') {
        expect(
          exchanges.some((e) => e.protocol === 'wsd' && e.transport === 'udp' && e.host === p.address),
          `${p.persona.id} behind the router found by unicast WS-Discovery`,
        ).toBe(true);
      }
    }
    // Every multicast protocol took part.
    const protocols = new Set(exchanges.filter((e) => e.transport === 'multicast').map((e) => e.protocol));
    for (const d of MULTICAST_DISCOVERY.filter((x) => !x.optIn)) {
      const speakers = lab.personas.filter(
        (p) => segmentOf(p.address) !== 's3' && multicastProtocols(p).includes(d.protocol),
      );
      expect(speakers.length, `${d.id}: a persona on an attached segment speaks it`).toBeGreaterThan(0);
      expect(protocols.has(d.protocol), `${d.id} answered by multicast`).toBe(true);
    }
  });

  it('with --interface <one>: multicast only on that segment', async () => {
    const ns = lab.scannerNamespace ?? '';
    const iface = lab.topology?.interfaceOf('scan', 's1') ?? '';
    expect(ns && iface).toBeTruthy();
    const { events, exchanges } = await sweep('one', [iface]);
    assertPersonaVerdicts(events, lab.personas);
    expectMulticastBySegment(exchanges, (segment) => segment === 's1');
    for (const p of multicastSpeakers()) {
      const mc = exchanges.some((e) => e.transport === 'multicast' && e.host === p.address);
      expect(mc, `${p.persona.id} on ${segmentOf(p.address)} by multicast via ${iface}`).toBe(
        segmentOf(p.address) === 's1',
      );
    }
  });
});
