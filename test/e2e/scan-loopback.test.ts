import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Exchange } from '../../src/core/exchange.ts';
import { type LabHandle, startLoopbackLab } from '../../src/lab/lab.ts';
import { listPersonas } from '../../src/lab/persona.ts';
import { BIN, runCli, startCli } from '../helpers/cli.ts';
import { assertEveryProtocolAnswered, assertPersonaVerdicts, readValidEvents } from './expectations.ts';

// This file's lab lives on 127.79.0.0/24; other test files use other ranges.
let lab: LabHandle;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'camsweep-e2e-'));
  lab = await startLoopbackLab({ personas: listPersonas(), base: '127.79.0.10' });
});

afterAll(async () => {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('camsweep scan against the loopback lab', () => {
  let events: ReturnType<typeof readValidEvents>;
  let stdoutEvents: string[];

  beforeAll(async () => {
    // One empty address in the range too: it must not become a device.
    const targets = [`${lab.targets[0]}-127.79.0.${10 + lab.personas.length}`];
    const r = await runCli([
      'scan',
      ...targets,
      ...lab.scanArgs,
      '--out',
      join(dir, 'sweep.jsonl'),
      '--record',
      join(dir, 'exchanges.jsonl'),
      '--format',
      'jsonl',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    events = readValidEvents(join(dir, 'sweep.jsonl'));
    stdoutEvents = r.stdout.split('\n').filter(Boolean);
  });

  it('reports every persona with its expected maker, brand and verdict', () => {
    assertPersonaVerdicts(events, lab.personas);
  });

  it('flags exactly the Hikvision, Hikvision-OEM, HiWatch, Dahua and Amcrest personas', () => {
    const flagged = events
      .filter((e) => e.type === 'finding' && e.severity === 'restricted')
      .map((f) => (f.type === 'finding' ? f.addresses[0] : undefined));
    const expected = lab.personas
      .filter((p) => p.persona.expect.finding === 'restricted')
      .map((p) => p.address);
    expect(flagged.sort()).toEqual(expected.sort());
    expect(expected.length).toBeGreaterThanOrEqual(5);
  });

  it('streams the same events to stdout and ends with a summary', () => {
    expect(stdoutEvents.length).toBe(events.length);
    const summary = events.at(-1);
    expect(summary?.type).toBe('summary');
    if (summary?.type === 'summary') {
      expect(summary.complete).toBe(true);
      expect(summary.devices).toBe(lab.personas.length);
      expect(summary.addresses.done).toBe(lab.personas.length + 1);
    }
  });

  it('records raw exchanges that re-identify offline to the same verdicts', async () => {
    const lines = readFileSync(join(dir, 'exchanges.jsonl'), 'utf8').split('\n').filter(Boolean);
    const exchanges = lines.map((l) => JSON.parse(l) as Exchange).filter((e) => e.type === 'exchange');
    expect(exchanges.some((e) => e.protocol === 'http' && e.response.includes('Server: App-webs/'))).toBe(
      true,
    );
    expect(exchanges.some((e) => e.protocol === 'wsd')).toBe(true);
    expect(exchanges.some((e) => e.protocol === 'onvif')).toBe(true);
    assertEveryProtocolAnswered(exchanges, lab.personas);
    const r = await runCli(['identify', '--from', join(dir, 'exchanges.jsonl'), '--format', 'jsonl']);
    expect(r.code).toBe(0);
    const offline = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string });
    // The same device and finding events a live sweep printed, identically (order aside).
    const byId = (a: { type: string }[]) =>
      a
        .filter((e) => e.type === 'device' || e.type === 'finding')
        .map((e) => JSON.stringify(e))
        .sort();
    expect(byId(offline)).toEqual(byId(events));
  });

  it('re-renders the sweep as CSV and as a table', async () => {
    const csv = await runCli(['report', '--from', join(dir, 'sweep.jsonl'), '--format', 'csv']);
    expect(csv.code).toBe(0);
    const rows = csv.stdout.trimEnd().split('\r\n');
    expect(rows[0]).toMatch(/^site,device,addresses,mac,maker,brand,model/);
    expect(rows.length).toBe(lab.personas.length + 1);
    expect(rows.filter((r) => r.includes(',restricted,')).length).toBe(
      lab.personas.filter((p) => p.persona.expect.finding === 'restricted').length,
    );
    const table = await runCli(['report', '--from', join(dir, 'sweep.jsonl')]);
    expect(table.stdout).toContain('Amcrest (made by Dahua)');
    expect(table.stdout).toContain('Luma Surveillance (made by Hikvision)');
    expect(table.stdout).not.toContain('\u001b[');
  });
});

describe('stopping a sweep', () => {
  it('SIGINT ends in-flight probes, writes the summary and exits 130 with results on disk', async () => {
    const out = join(dir, 'interrupted.jsonl');
    // A hanging web server keeps the sweep busy until the signal arrives.
    const hang = await startLoopbackLab({
      personas: [
        { ...listPersonas()[0], faults: { http: 'hang' } } as (typeof lab.personas)[number]['persona'],
      ],
      base: '127.79.1.10',
    });
    try {
      const run = startCli([
        'scan',
        ...lab.targets,
        ...hang.targets,
        ...lab.scanArgs,
        '--timeout',
        '60000',
        '--host-timeout',
        '120000',
        '--out',
        out,
        '--quiet',
      ]);
      // Wait until some devices are on disk, then interrupt.
      for (let i = 0; i < 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        let text = '';
        try {
          text = readFileSync(out, 'utf8');
        } catch {
          // not created yet
        }
        if (text.split('\n').filter((l) => l.includes('"type":"device"')).length >= 3) break;
      }
      run.child.kill('SIGINT');
      const r = await run.done;
      expect(r.code).toBe(130);
      const events = readValidEvents(out);
      const summary = events.at(-1);
      expect(summary?.type).toBe('summary');
      if (summary?.type === 'summary') {
        expect(summary.complete).toBe(false);
        expect(summary.interruptedBy).toBe('SIGINT');
      }
      expect(events.filter((e) => e.type === 'device').length).toBeGreaterThanOrEqual(3);
    } finally {
      await hang.stop();
    }
  });
});

describe('running short of file descriptors', () => {
  it('slows down instead of losing hosts when the process may open only a few sockets', async () => {
    const out = join(dir, 'emfile.jsonl');
    // ulimit -n 128 leaves room to start (Node's loader reads the ~250 source modules in parallel),
    // but not for the ~200 sockets this sweep of 15 personas opens at once (EMFILE).
    const args = [
      'scan',
      ...lab.targets,
      ...lab.scanArgs,
      ...['--concurrency', '1000', '--per-host', '16', '--rate', '10000', '--out', out, '--quiet'],
    ];
    const quoted = args.map((a) => `'${a}'`).join(' ');
    // Compile the sources once with the normal limit (tsx caches them), so the limit bites where
    // this test means it to, on the sweep's sockets.
    expect((await runCli(['--version'])).code).toBe(0);
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn('bash', ['-c', `ulimit -n 128 && exec '${process.execPath}' '${BIN}' ${quoted}`], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r.code, r.stderr).toBe(0);
    const events = readValidEvents(out);
    assertPersonaVerdicts(events, lab.personas);
    const summary = events.at(-1);
    expect(summary?.type).toBe('summary');
    if (summary?.type === 'summary') {
      expect(summary.addresses.untested).toBe(0);
      expect(summary.slowdowns, 'the kernel pushed back and the sweep slowed down').toBeGreaterThan(0);
    }
  });
});

describe('sites and scheduled-job exit codes', () => {
  it('labels devices and findings with the [section] of the target file, and --fail-on restricted exits 1', async () => {
    const [a, b] = [lab.personas.slice(0, 5), lab.personas.slice(5)];
    const list = join(dir, 'sites.txt');
    writeFileSync(
      list,
      [
        '# two council sites',
        '[Town Hall]',
        ...a.map((p) => p.address),
        '[Depot]',
        ...b.map((p) => p.address),
      ].join('\n'),
    );
    const out = join(dir, 'sites.jsonl');
    const r = await runCli([
      'scan',
      `@${list}`,
      ...lab.scanArgs,
      '--out',
      out,
      '--quiet',
      '--fail-on',
      'restricted',
    ]);
    expect(r.code, r.stderr).toBe(1);
    const events = readValidEvents(out);
    for (const e of events) {
      if (e.type !== 'device' && e.type !== 'finding') continue;
      const inA = a.some((p) => e.addresses.includes(p.address));
      expect(e.site, `${e.type} ${e.addresses[0]}`).toBe(inA ? 'Town Hall' : 'Depot');
    }
    const csv = await runCli(['report', '--from', out, '--format', 'csv']);
    expect(csv.stdout).toContain('Town Hall,');
    const html = await runCli(['report', '--from', out, '--format', 'html']);
    expect(html.stdout).toContain('Town Hall');
    expect(html.stdout).toContain('Depot');
  });

  it('--site labels everything and --fail-on none exits 0 even with findings', async () => {
    const out = join(dir, 'site.jsonl');
    const r = await runCli([
      'scan',
      ...lab.targets,
      ...lab.scanArgs,
      '--site',
      'Library',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    const devices = readValidEvents(out).filter((e) => e.type === 'device');
    expect(devices.length).toBe(lab.personas.length);
    expect(devices.every((d) => d.type === 'device' && d.site === 'Library')).toBe(true);
  });
});
