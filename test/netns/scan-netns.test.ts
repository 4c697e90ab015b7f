/**
 * The whole product in a real network: every persona in its own namespace with its vendor's MAC,
 * real multicast WS-Discovery, and the scanner running inside the lab's scanner namespace. Needs
 * root; in CI (CI=true) a missing capability fails, locally the suite is skipped with a warning.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device } from '../../src/core/device.ts';
import type { Exchange } from '../../src/core/exchange.ts';
import { type LabHandle, startNetnsLab } from '../../src/lab/lab.ts';
import { netnsAvailable } from '../../src/lab/netns.ts';
import { listPersonas } from '../../src/lab/persona.ts';
import { assertEveryProtocolAnswered, assertPersonaVerdicts, readValidEvents } from '../e2e/expectations.ts';
import { runCli } from '../helpers/cli.ts';

const availability = netnsAvailable();
if (!availability.ok && process.env.CI === 'true') {
  throw new Error(`netns tests cannot run in CI: ${availability.reason}`);
}
if (!availability.ok) console.warn(`netns scan tests skipped: ${availability.reason}`);
const suite = availability.ok ? describe : describe.skip;

suite('camsweep scan inside the netns lab', () => {
  let lab: LabHandle;
  let dir: string;
  let events: ReturnType<typeof readValidEvents>;
  let exchanges: Exchange[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'camsweep-netns-'));
    lab = await startNetnsLab({ personas: listPersonas(), lifetimeMs: 170_000 });
    const ns = lab.scannerNamespace;
    if (!ns) throw new Error('the netns lab has no scanner namespace');
    const r = await runCli(
      [
        'scan',
        ...lab.targets,
        ...lab.scanArgs,
        '--out',
        join(dir, 'sweep.jsonl'),
        '--record',
        join(dir, 'ex.jsonl'),
        '--quiet',
      ],
      { namespace: ns },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    events = readValidEvents(join(dir, 'sweep.jsonl'));
    exchanges = readFileSync(join(dir, 'ex.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Exchange)
      .filter((e) => e.type === 'exchange');
  });

  afterAll(async () => {
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports every persona with its expected maker, brand and verdict', () => {
    assertPersonaVerdicts(events, lab.personas);
  });

  it('reaches every persona by every protocol it speaks', () => {
    assertEveryProtocolAnswered(exchanges, lab.personas);
  });

  it('finds the ONVIF personas by real multicast WS-Discovery', () => {
    const onvif = lab.personas.filter((p) => p.persona.services.wsd && p.persona.kind !== 'printer');
    for (const p of onvif) {
      expect(
        exchanges.some((e) => e.transport === 'multicast' && e.protocol === 'wsd' && e.host === p.address),
        `${p.persona.id} answered multicast`,
      ).toBe(true);
    }
  });

  it("reads each live device's MAC from the neighbour table", () => {
    const devices = events.filter((e): e is Device => e.type === 'device');
    for (const p of lab.personas) {
      const d = devices.find((x) => x.addresses.includes(p.address));
      expect(d?.mac, p.persona.id).toBe(p.persona.mac);
    }
  });

  it('covers the whole /24 and reports only the lab devices', () => {
    const summary = events.at(-1);
    expect(summary?.type).toBe('summary');
    if (summary?.type === 'summary') {
      expect(summary.complete).toBe(true);
      expect(summary.addresses.done).toBe(254);
      expect(summary.addresses.untested).toBe(0);
      expect(summary.devices).toBe(lab.personas.length);
    }
  });
});
