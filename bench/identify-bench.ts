/**
 * `identify --from` benchmark: `npm run bench:identify [-- --lines 100000]`.
 *
 * Builds a recording of N exchange lines from the demo's real recording
 * (fixtures/recorded/demo-exchanges.jsonl), each copy on its own TEST-NET address, plus one MAC
 * observation per host (the case that once made resolution quadratic), then runs the real CLI
 * on it in a child process and reports lines per second and the child's peak RSS, at N and at
 * N/4, so memory growth with the file's size shows. Nothing is sent anywhere: it reads files.
 *
 * A benchmark, not a test: it fails only when identify itself fails.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PACKAGE_ROOT } from '../src/core/paths.ts';

const BIN = join(PACKAGE_ROOT, 'bin', 'camsweep.mjs');
const SOURCE = join(PACKAGE_ROOT, 'fixtures', 'recorded', 'demo-exchanges.jsonl');

const { values } = parseArgs({ options: { lines: { type: 'string', default: '100000' } } });
const total = Number(values.lines);

/** 198.18.0.0/15 (benchmarking addresses, RFC 2544): labels only, never contacted. */
function hostOf(i: number): string {
  return `198.18.${(i >> 8) & 255}.${i & 255}`;
}

async function writeRecording(path: string, lines: number): Promise<void> {
  const source = readFileSync(SOURCE, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { host: string });
  const out = createWriteStream(path);
  let written = 0;
  for (let copy = 0; written < lines; copy++) {
    const host = hostOf(copy);
    const mac = `02:00:00:${((copy >> 16) & 255).toString(16).padStart(2, '0')}:${((copy >> 8) & 255).toString(16).padStart(2, '0')}:${(copy & 255).toString(16).padStart(2, '0')}`;
    out.write(
      `${JSON.stringify({ type: 'observation', host, field: 'mac.address', value: mac.replace(/^02/, '3c') })}\n`,
    );
    written++;
    for (const ex of source) {
      if (written >= lines) break;
      if (!out.write(`${JSON.stringify({ ...ex, host })}\n`))
        await new Promise<void>((r) => out.once('drain', () => r()));
      written++;
    }
  }
  await new Promise<void>((r) => out.end(r));
}

function run(file: string): Promise<{ seconds: number; rssMb: number; devices: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(
      '/usr/bin/time',
      ['-f', '%M', process.execPath, BIN, 'identify', '--from', file, '--format', 'jsonl'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let devices = 0;
    let tail = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      const text = tail + d.toString();
      const parts = text.split('\n');
      tail = parts.pop() ?? '';
      for (const l of parts) if (l.startsWith('{"type":"device"')) devices++;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`identify exited ${code}: ${stderr.slice(-500)}`));
      const kb = Number(stderr.trim().split('\n').pop());
      resolve({ seconds: Number(process.hrtime.bigint() - started) / 1e9, rssMb: kb / 1024, devices });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'camsweep-identify-bench-'));
try {
  console.log('| lines | wall | lines/s | peak RSS | devices |');
  console.log('|---|---|---|---|---|');
  for (const n of [Math.floor(total / 4), total]) {
    const file = join(dir, `rec-${n}.jsonl`);
    await writeRecording(file, n);
    const r = await run(file);
    console.log(
      `| ${n} | ${r.seconds.toFixed(1)} s | ${Math.round(n / r.seconds)} | ${r.rssMb.toFixed(0)} MB | ${r.devices} |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
