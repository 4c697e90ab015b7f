/**
 * Sweep benchmark: `npm run bench [-- --concurrency N --prefix 127.77.0.0/16 --ports LIST --compare N]`.
 *
 * It starts the loopback lab in this process, every persona on its own address spread across the
 * prefix, then sweeps the whole prefix with the real CLI in a child process, so the figures are
 * those a user gets from `camsweep scan` (start-up, tsx, analysis and JSONL writing included).
 * It reports wall time, addresses per second, the child's peak RSS, devices, findings and whether
 * every persona was found, once at the chosen concurrency and once at --compare (default 2048);
 * then, as root, how long multicast discovery takes on one netns lab segment.
 *
 * Network safety: the prefix must lie inside 127.0.0.0/8, which the kernel keeps on the loopback
 * interface; no packet of this benchmark can leave the machine. Options come from argv or from
 * CAMSWEEP_BENCH_CONCURRENCY / _PREFIX / _PORTS / _COMPARE.
 *
 * This is a benchmark, not a test: it fails only when the sweep itself fails, never on a slow run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import ipaddr from 'ipaddr.js';
import { PACKAGE_ROOT } from '../src/core/paths.ts';
import { type LabHandle, startLoopbackLab, startNetnsLab } from '../src/lab/lab.ts';
import { netnsAvailable } from '../src/lab/netns.ts';
import { listPersonas, type Persona } from '../src/lab/persona.ts';

const BIN = join(PACKAGE_ROOT, 'bin', 'camsweep.mjs');
const RESULTS = join(PACKAGE_ROOT, 'bench', 'results', 'latest.md');
/** A sweep that has not finished by then has hung; the benchmark stops it rather than wait. */
const CHILD_DEADLINE_MS = 15 * 60_000;
const SAMPLE_MS = 100;

interface BenchOptions {
  concurrency: number;
  compare: number;
  prefix: string;
  ports?: string;
}

interface PlacedPersona {
  persona: Persona;
  address: string;
}

interface RunResult {
  concurrency: number;
  exitCode: number;
  wallSeconds: number;
  peakRssMb: number | undefined;
  rssMethod: string;
  addresses: number;
  untested: number;
  slowdowns: number;
  devices: number;
  findings: Record<string, number>;
  missing: PlacedPersona[];
  unexpected: string[];
  stderrTail: string;
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

function intFrom(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > 16_384) fail(`${name} must be an integer ${min}–16384`);
  return n;
}

function readOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      concurrency: { type: 'string' },
      prefix: { type: 'string' },
      ports: { type: 'string' },
      compare: { type: 'string' },
    },
    strict: true,
  });
  const env = process.env;
  const ports = values.ports ?? env.CAMSWEEP_BENCH_PORTS;
  return {
    // 512 is the CLI's own default, so the first figure is what a plain `camsweep scan` does.
    concurrency: intFrom('--concurrency', values.concurrency ?? env.CAMSWEEP_BENCH_CONCURRENCY, 512, 1),
    // 0 skips the second run.
    compare: intFrom('--compare', values.compare ?? env.CAMSWEEP_BENCH_COMPARE, 2048, 0),
    prefix: values.prefix ?? env.CAMSWEEP_BENCH_PREFIX ?? '127.77.0.0/16',
    ...(ports ? { ports } : {}),
  };
}

/**
 * The prefix as [first address, size]. Refuses anything outside 127.0.0.0/8: that is the whole of
 * the benchmark's network safety, so it is checked before any lab or sweep starts.
 */
function parsePrefix(text: string): { first: number; size: number } {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(text);
  } catch {
    fail(`--prefix ${JSON.stringify(text)} is not a CIDR block`);
  }
  const [addr, bits] = parsed;
  if (addr.kind() !== 'ipv4') fail(`--prefix ${text}: only IPv4 loopback blocks are benchmarked`);
  const octets = (addr as ipaddr.IPv4).octets;
  if (octets[0] !== 127 || bits < 8)
    fail(`--prefix ${text} is not inside 127.0.0.0/8: the benchmark never sends traffic off this machine`);
  // Wider than a /16 needs the CLI's --allow-large and hours of work; narrower than a /28 leaves
  // no room to spread the personas.
  if (bits < 16 || bits > 28) fail(`--prefix ${text}: use a prefix length from /16 to /28`);
  const value = octets.reduce((acc, b) => acc * 256 + b, 0);
  const size = 2 ** (32 - bits);
  return { first: value - (value % size), size };
}

function v4(n: number): string {
  return [
    Math.floor(n / 2 ** 24) % 256,
    Math.floor(n / 2 ** 16) % 256,
    Math.floor(n / 256) % 256,
    n % 256,
  ].join('.');
}

/**
 * Spreads the personas evenly over the prefix (a /16 with nine personas: 127.77.0.10, .28.10,
 * .56.10, …), so the sweep meets them early, late and in between rather than all in its first
 * few hundred addresses.
 */
function placePersonas(personas: Persona[], prefix: { first: number; size: number }): PlacedPersona[] {
  let stride = Math.floor(prefix.size / personas.length);
  if (stride >= 512) stride -= stride % 256; // keep them on the same host number in their /24
  if (stride < 2) fail(`the prefix is too small for ${personas.length} personas`);
  const offset = stride > 10 ? 10 : 1; // never the network address
  return personas.map((persona, i) => ({ persona, address: v4(prefix.first + i * stride + offset) }));
}

/**
 * Listeners on the wildcard address answer on every 127.x address too: each one would make the
 * whole prefix look alive and the figures meaningless, so the benchmark says so up front.
 */
function wildcardListeners(ports: readonly number[]): number[] {
  const found = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state !== '0A' || !local) continue; // 0A: LISTEN
      const [addr, portHex] = local.split(':');
      const port = Number.parseInt(portHex ?? '', 16);
      if (addr && /^0+$/.test(addr) && ports.includes(port)) found.add(port);
    }
  }
  return [...found].sort((a, b) => a - b);
}

function portsOf(list: string): number[] {
  return list.split(',').flatMap((token) => {
    const m = /^(\d+)(?:-(\d+))?/.exec(token.trim());
    if (!m) return [];
    const from = Number(m[1]);
    const to = m[2] ? Number(m[2]) : from;
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
}

/** One lab per persona: the lab's `base` only places personas on consecutive addresses. */
async function startLabs(placed: PlacedPersona[]): Promise<LabHandle[]> {
  const labs: LabHandle[] = [];
  try {
    for (const p of placed) labs.push(await startLoopbackLab({ personas: [p.persona], base: p.address }));
  } catch (err) {
    await Promise.all(labs.map((l) => l.stop()));
    const why = err instanceof Error ? err.message : String(err);
    fail(`${why}\n(is another lab or benchmark already using these addresses? try --prefix 127.78.0.0/16)`);
  }
  return labs;
}

function withPorts(scanArgs: readonly string[], ports: string | undefined): string[] {
  const args = [...scanArgs];
  const i = args.indexOf('--ports');
  if (ports && i >= 0) args[i + 1] = ports;
  else if (ports) args.push('--ports', ports);
  return args;
}

/** Peak RSS of a running process from the kernel's own high-water mark, in kB. */
function readHwmKb(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined; // gone, or not Linux
  }
}

async function runSweep(
  concurrency: number,
  prefix: string,
  scanArgs: readonly string[],
  placed: PlacedPersona[],
  dir: string,
): Promise<RunResult> {
  const out = join(dir, `sweep-${concurrency}.jsonl`);
  const timeFile = join(dir, `time-${concurrency}.txt`);
  const args = [
    BIN,
    'scan',
    prefix,
    ...scanArgs,
    '--quiet',
    '--out',
    out,
    '--concurrency',
    String(concurrency),
  ];
  // GNU time reports the exact peak (getrusage of the child); without it the benchmark samples
  // the child's VmHWM every 100 ms, which can miss at most the last 100 ms of its life.
  const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const [cmd, cmdArgs] = gnuTime
    ? [gnuTime, ['-o', timeFile, '-f', '%M', process.execPath, ...args]]
    : [process.execPath, args];
  process.stderr.write(`\nsweeping ${prefix} at --concurrency ${concurrency}…\n`);
  const started = performance.now();
  const child = spawn(cmd, cmdArgs, { cwd: PACKAGE_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  let sampledKb: number | undefined;
  const sampler = setInterval(() => {
    if (gnuTime || child.pid === undefined) return;
    sampledKb = readHwmKb(child.pid) ?? sampledKb;
  }, SAMPLE_MS);
  const deadline = setTimeout(() => {
    process.stderr.write(`bench: the sweep ran past ${CHILD_DEADLINE_MS / 60_000} min; stopping it\n`);
    child.kill('SIGTERM');
  }, CHILD_DEADLINE_MS);
  const stopChild = () => child.kill('SIGTERM');
  process.once('SIGINT', stopChild);
  const exitCode = await new Promise<number>((resolve) => {
    child.on('error', (err) => {
      stderr += String(err);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  const wallSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  clearTimeout(deadline);
  process.off('SIGINT', stopChild);

  let peakKb = sampledKb;
  if (gnuTime && existsSync(timeFile)) {
    const m = /(\d+)\s*$/.exec(readFileSync(timeFile, 'utf8').trim());
    if (m) peakKb = Number(m[1]);
  }

  const devices: { addresses: string[] }[] = [];
  const findings: Record<string, number> = {};
  let summary: { addresses: { done: number; untested: number }; slowdowns: number } | undefined;
  if (existsSync(out)) {
    for (const line of readFileSync(out, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const e = JSON.parse(line) as { type: string; addresses?: string[]; severity?: string };
      if (e.type === 'device') devices.push({ addresses: e.addresses ?? [] });
      if (e.type === 'finding' && e.severity) findings[e.severity] = (findings[e.severity] ?? 0) + 1;
      if (e.type === 'summary') summary = e as unknown as typeof summary;
    }
  }
  const seen = new Set(devices.flatMap((d) => d.addresses));
  const labAddresses = new Set(placed.map((p) => p.address));
  return {
    concurrency,
    exitCode,
    wallSeconds,
    peakRssMb: peakKb === undefined ? undefined : peakKb / 1024,
    rssMethod: gnuTime ? 'GNU time %M' : `VmHWM sampled every ${SAMPLE_MS} ms`,
    addresses: summary?.addresses.done ?? 0,
    untested: summary?.addresses.untested ?? 0,
    slowdowns: summary?.slowdowns ?? 0,
    devices: devices.length,
    findings,
    missing: placed.filter((p) => !seen.has(p.address)),
    unexpected: devices
      .filter((d) => !d.addresses.some((a) => labAddresses.has(a)))
      .flatMap((d) => d.addresses),
    stderrTail: stderr.trim().split('\n').slice(-5).join('\n'),
  };
}

function findingsText(f: Record<string, number>): string {
  const total = Object.values(f).reduce((a, b) => a + b, 0);
  const parts = Object.entries(f)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  return parts.length ? `${total} (${parts.join(', ')})` : '0';
}

function printRun(r: RunResult, total: number): void {
  const rate = r.addresses / r.wallSeconds;
  const lines = [
    `  concurrency        ${r.concurrency}`,
    `  exit code          ${r.exitCode}`,
    `  addresses          ${r.addresses} of ${total} (${r.untested} untested, ${r.slowdowns} slowdowns)`,
    `  wall               ${r.wallSeconds.toFixed(1)} s`,
    `  addresses/s        ${rate.toFixed(0)}`,
    `  peak RSS           ${r.peakRssMb === undefined ? 'unknown' : `${r.peakRssMb.toFixed(0)} MB`} (${r.rssMethod})`,
    `  devices            ${r.devices}`,
    `  findings           ${findingsText(r.findings)}`,
    `  every persona      ${r.missing.length === 0 ? 'found' : `MISSING ${r.missing.map((m) => `${m.persona.id}@${m.address}`).join(', ')}`}`,
  ];
  if (r.unexpected.length) lines.push(`  not lab devices    ${r.unexpected.slice(0, 10).join(', ')}`);
  if (r.exitCode !== 0 && r.stderrTail) lines.push(`  stderr             ${r.stderrTail}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function markdown(
  runs: RunResult[],
  opts: BenchOptions,
  ports: string,
  placed: PlacedPersona[],
  total: number,
  load: number[],
): string {
  const rows = runs.map((r) =>
    [
      r.concurrency,
      r.addresses,
      r.wallSeconds.toFixed(1),
      (r.addresses / r.wallSeconds).toFixed(0),
      r.peakRssMb === undefined ? '?' : r.peakRssMb.toFixed(0),
      r.devices,
      findingsText(r.findings),
      r.missing.length === 0
        ? `yes (${placed.length}/${placed.length})`
        : `**no** (${placed.length - r.missing.length}/${placed.length})`,
      r.untested,
    ].join(' | '),
  );
  return [
    `# camsweep sweep benchmark`,
    '',
    `${new Date().toISOString()} · Node ${process.version} · ${cpus().length} CPUs · load average at start ${load.map((l) => l.toFixed(2)).join(' ')}`,
    '',
    `\`camsweep scan ${opts.prefix} --ports ${ports} --quiet --out … --concurrency N\` against the loopback lab ` +
      `(${placed.length} personas spread over the prefix; ${total} addresses × ${portsOf(ports).length} ports). ` +
      'Wall time includes CLI start-up. Loopback only: absent addresses refuse at once, so this ' +
      'measures the engine, not ARP (see shared/docs/BENCH-BASELINE.md for LAN figures).',
    '',
    '| concurrency | addresses | wall s | addresses/s | peak RSS MB | devices | findings | every persona found | untested |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r} |`),
    '',
  ].join('\n');
}

interface MulticastResult {
  multicastMs: number;
  responders: number;
  /** Of those, how many also answered over IPv6 (from their link-local address). */
  respondersV6: number;
  personas: number;
  wallSeconds: number;
}

/**
 * Phase 1 on a real segment: the netns lab (root only), the scanner in its namespace, default
 * multicast window. Reports how long multicast discovery took and how many personas answered it.
 */
async function multicastBench(dir: string): Promise<MulticastResult | string> {
  const avail = netnsAvailable();
  if (!avail.ok) return `skipped (needs root: ${avail.reason})`;
  const lab = await startNetnsLab({ personas: listPersonas(), lifetimeMs: 120_000 });
  try {
    const out = join(dir, 'multicast.jsonl');
    const record = join(dir, 'multicast-ex.jsonl');
    const started = performance.now();
    const ns = lab.scannerNamespace ?? '';
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(
        'ip',
        [
          'netns',
          'exec',
          ns,
          process.execPath,
          BIN,
          'scan',
          ...lab.targets,
          ...lab.scanArgs,
          '--quiet',
          '--out',
          out,
          '--record',
          record,
        ],
        { stdio: 'ignore' },
      );
      child.on('close', resolve);
    });
    const wallSeconds = (performance.now() - started) / 1000;
    if (code !== 0) return `failed (exit ${code})`;
    const summary = readFileSync(out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; durations?: { multicastMs?: number } })
      .find((e) => e.type === 'summary');
    const multicast = readFileSync(record, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { transport?: string; host?: string; source?: string })
      .filter((e) => e.transport === 'multicast');
    const hosts = (list: typeof multicast) => new Set(list.map((e) => e.host)).size;
    return {
      multicastMs: summary?.durations?.multicastMs ?? 0,
      responders: hosts(multicast),
      respondersV6: hosts(multicast.filter((e) => e.source?.startsWith('fe80:'))),
      personas: lab.personas.length,
      wallSeconds,
    };
  } finally {
    await lab.stop();
  }
}

async function main(): Promise<void> {
  const opts = readOptions();
  const prefix = parsePrefix(opts.prefix);
  const placed = placePersonas(listPersonas(), prefix);
  const load = loadavg();
  const labs = await startLabs(placed);
  const dir = mkdtempSync(join(tmpdir(), 'camsweep-bench-'));
  let failed = false;
  try {
    const scanArgs = withPorts(labs[0]?.scanArgs ?? [], opts.ports);
    const ports = scanArgs[scanArgs.indexOf('--ports') + 1] ?? '';
    const total = prefix.size;
    process.stdout.write(
      `camsweep bench: ${opts.prefix} (${total} addresses) × ports ${ports}\n` +
        `lab personas:\n${placed.map((p) => `  ${p.address.padEnd(15)} ${p.persona.id}`).join('\n')}\n`,
    );
    const busy = wildcardListeners(portsOf(ports));
    if (busy.length) {
      process.stdout.write(
        `warning: something on this machine listens on the wildcard address on port(s) ${busy.join(', ')}; ` +
          'every address in the prefix will answer there, so the figures below are not comparable\n',
      );
    }
    const runs: RunResult[] = [];
    const levels = [...new Set([opts.concurrency, opts.compare].filter((n) => n > 0))];
    for (const concurrency of levels) {
      const r = await runSweep(concurrency, opts.prefix, scanArgs, placed, dir);
      printRun(r, total);
      runs.push(r);
      if (r.exitCode !== 0 || r.missing.length > 0) failed = true;
    }
    const mc = await multicastBench(dir);
    const mcText =
      typeof mc === 'string'
        ? `Multicast discovery (netns lab): ${mc}.`
        : `Multicast discovery (netns lab, one segment, every multicast protocol, default window): phase 1 took ` +
          `**${(mc.multicastMs / 1000).toFixed(2)} s** (IPv4 and IPv6 together); ${mc.responders} of ${mc.personas} ` +
          `personas answered by multicast, ${mc.respondersV6} of them also over IPv6; ` +
          `the whole /24 sweep took ${mc.wallSeconds.toFixed(1)} s.`;
    process.stdout.write(`${mcText}\n`);
    const table = `${markdown(runs, opts, ports, placed, total, load)}\n${mcText}\n`;
    mkdirSync(join(PACKAGE_ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(RESULTS, table);
    process.stdout.write(`\n${table}\nwritten to bench/results/latest.md\n`);
  } finally {
    await Promise.all(labs.map((l) => l.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
  // A sweep that lost a persona or crashed is worth a non-zero exit; a slow one is not.
  if (failed) process.exitCode = 1;
}

await main();
