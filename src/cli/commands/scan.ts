import { Command, Option } from 'commander';
import type { Device } from '../../core/device.ts';
import { CamsweepError } from '../../core/errors.ts';
import type { Finding } from '../../core/finding.ts';
import { SCHEMA_VERSION } from '../../core/schema-version.ts';
import { VERSION } from '../../core/version.ts';
import { DEFAULT_PORTS, formatPorts, parsePorts } from '../../engine/ports.ts';
import { createScopeGuard } from '../../engine/scope.ts';
import { type HostResult, type SweepOptions, type SweepStats, sweep } from '../../engine/sweep.ts';
import { buildTargetSet } from '../../engine/targets.ts';
import { analyse, type Knowledge } from '../../pipeline/analyse.ts';
import { allProbeIds } from '../../probes/index.ts';
import { DEFAULT_SETTINGS } from '../../probes/settings.ts';
import type { ProbeOutcome, ProbeSettings } from '../../probes/types.ts';
import type { EventSet, ProbeStatusEvent, SummaryEvent, SweepEvent } from '../../report/events.ts';
import { chooseInterfaces, type InterfaceChoice } from '../../transport/multicast.ts';
import { CREDENTIALS_ENV, SNMP_COMMUNITY_ENV, secretSettings } from '../credentials.ts';
import { loadKnowledge } from '../knowledge.ts';
import { type Logger, makeLogger } from '../log.ts';
import { collect, collectList, intOption } from '../options.ts';
import type { EventWriter } from '../writers/event-writer.ts';
import { JsonlEventWriter } from '../writers/jsonl-events.ts';
import { ProgressWriter } from '../writers/progress.ts';
import { RecordWriter } from '../writers/record.ts';
import { ReportWriter } from '../writers/report.ts';

export interface ScanOptions {
  exclude?: string[];
  excludeFile?: string[];
  allowLarge?: boolean;
  ports?: string;
  interface?: string[];
  policy?: string[];
  format?: 'table' | 'jsonl' | 'csv' | 'html';
  out?: string;
  record?: string;
  concurrency: number;
  perHost: number;
  rate: number;
  timeout: number;
  connectTimeout: number;
  hostTimeout: number;
  wsdPort: number;
  udpWindow: number;
  multicastWindow: number;
  failOn: 'restricted' | 'review' | 'none';
  site?: string;
  enable?: string[];
  disable?: string[];
  credentialsFile?: string;
  snmpCommunityFile?: string;
  snmpPort?: number;
  verbose?: boolean;
  quiet?: boolean;
  logLevel: string;
  /** Shown in the summary; defaults to this process's own command line. */
  commandLine?: string;
}

export function scanCommand(): Command {
  return new Command('scan')
    .description('sweep targets for cameras, NVRs and DVRs and report restricted makers with their evidence')
    .argument('<targets...>', 'IPv4/IPv6 addresses, CIDR blocks, ranges a-b, host names, or @file lists')
    .option(
      '--exclude <targets>',
      'addresses, blocks or ranges to leave alone (repeatable, comma-separated)',
      collectList,
    )
    .option('--exclude-file <file>', 'a file of exclusions, one per line, # comments (repeatable)', collect)
    .option('--allow-large', 'allow blocks larger than an IPv4 /16 or an IPv6 /112')
    .option('--ports <list>', `TCP ports, ranges, or port/service (default ${formatPorts(DEFAULT_PORTS)})`)
    .option(
      '--interface <name>',
      'multicast discovery: auto (segments the targets are on), all, none, or interface names (repeatable)',
      collectList,
    )
    .option(
      '--policy <name|file>',
      'policy to apply: a built-in name or a YAML file (repeatable; default uk-nil-2022)',
      collect,
    )
    .addOption(
      new Option('--format <format>', 'stdout format (default: table on a terminal, else jsonl)').choices([
        'table',
        'jsonl',
        'csv',
        'html',
      ]),
    )
    .option('--out <file>', 'write the JSONL event stream here as it is found')
    .option('--record <file>', 'write every exchange (raw requests and responses) as JSONL; secrets redacted')
    .option(
      '--concurrency <n>',
      'global cap on connections in flight',
      intOption('--concurrency', 1, 16384),
      512,
    )
    .option('--per-host <n>', 'cap on connections in flight to one host', intOption('--per-host', 1, 64), 4)
    .option('--rate <n>', 'new connections per second to one host', intOption('--rate', 1, 10000), 40)
    .option('--timeout <ms>', 'deadline for one probe', intOption('--timeout', 100, 120000), 5000)
    .option(
      '--connect-timeout <ms>',
      'deadline for one TCP connect',
      intOption('--connect-timeout', 50, 60000),
      1500,
    )
    .option(
      '--host-timeout <ms>',
      'deadline for everything done to one host',
      intOption('--host-timeout', 500, 600000),
      60000,
    )
    .option('--wsd-port <port>', 'UDP port for unicast WS-Discovery', intOption('--wsd-port', 1, 65535), 3702)
    .option(
      '--udp-window <ms>',
      'how long a unicast UDP probe waits for replies',
      intOption('--udp-window', 50, 30000),
      1000,
    )
    .option(
      '--multicast-window <ms>',
      'how long multicast discovery listens',
      intOption('--multicast-window', 100, 60000),
      2000,
    )
    .addOption(
      new Option('--fail-on <level>', 'exit 1 when a finding is at or above this level')
        .choices(['restricted', 'review', 'none'])
        .default('none'),
    )
    .option(
      '--site <label>',
      'label every device and finding with this site (else the [section] of a target file)',
    )
    .option(
      '--enable <probes>',
      'switch on opt-in probes (comma-separated ids; see README "Probes")',
      collectList,
    )
    .option('--disable <probes>', 'switch off probes (comma-separated ids)', collectList)
    .option(
      '--credentials-file <file>',
      `ONVIF credentials per address range (YAML; or ${CREDENTIALS_ENV}=user:password); never on the command line`,
    )
    .option(
      '--snmp-community-file <file>',
      `SNMP community for --enable snmp (first line; or ${SNMP_COMMUNITY_ENV}); never guessed`,
    )
    .option('--snmp-port <port>', 'UDP port for --enable snmp', intOption('--snmp-port', 1, 65535))
    .option('--verbose', 'also emit a probe-status event for every probe')
    .option('--quiet', 'print nothing on stdout (use with --out, e.g. for scheduled sweeps)')
    .addOption(
      new Option('--log-level <level>', 'stderr log level')
        .choices(['fatal', 'error', 'warn', 'info', 'debug'])
        .default('warn'),
    )
    .addHelpText(
      'after',
      '\nExamples:\n  camsweep scan 10.20.0.0/24 --exclude 10.20.0.1 --out sweep.jsonl --record exchanges.jsonl\n' +
        '  camsweep scan @sites/town-hall.txt --policy uk-nil-2022 --format csv > town-hall.csv\n',
    )
    .action(async (targets: string[], opts: ScanOptions) => {
      process.exitCode = await runScan(targets, opts);
    });
}

function failCode(findings: readonly Finding[], failOn: ScanOptions['failOn']): number {
  if (failOn === 'none') return 0;
  const hit = findings.some(
    (f) => f.severity === 'restricted' || (failOn === 'review' && f.severity === 'review'),
  );
  return hit ? 1 : 0;
}

export async function runScan(targetTokens: string[], opts: ScanOptions): Promise<number> {
  const log = makeLogger(opts.logLevel);
  // Everything, the IEEE registry included, loads now: opening files mid-sweep can fail once
  // sockets use every descriptor.
  const knowledge = loadKnowledge(opts.policy);
  const ports = opts.ports ? parsePorts(opts.ports) : [...DEFAULT_PORTS];
  const targets = await buildTargetSet({
    targets: targetTokens,
    ...(opts.exclude ? { exclude: opts.exclude } : {}),
    ...(opts.excludeFile ? { excludeFiles: opts.excludeFile } : {}),
    ...(opts.allowLarge ? { allowLarge: true } : {}),
  });
  const guard = createScopeGuard(targets);
  const settings = probeSettings(opts);
  const ranges = targets.specs.flatMap((s) => (s.kind === 'range' ? [s] : []));
  const interfaces = chooseInterfaces(interfaceChoice(opts.interface), ranges);
  // Only devices and findings are kept for the closing report; everything streams out as it comes.
  const found: EventSet = { devices: [], findings: [] };
  const writers = openWriters(opts, found, knowledge.vendors.name);
  const emit = (e: SweepEvent) => {
    if (e.type === 'device') found.devices.push(e);
    else if (e.type === 'finding') found.findings.push(e);
    for (const w of writers) w.event?.(e);
  };
  const stop = stopOnSignals(log);
  const total = targets.count();
  if (process.stderr.isTTY) writers.push(new ProgressWriter(total, found));
  const startedAt = new Date().toISOString();
  log.info(
    { targets: targetTokens, addresses: total.toString(), interfaces: interfaces.map((i) => i.name) },
    'sweep starts',
  );
  let stats: SweepStats;
  try {
    stats = await sweep({
      ...sweepLimits(opts),
      targets,
      guard,
      ports,
      interfaces,
      signal: stop.signal,
      settings,
      ...sweepReporting({ opts, log, writers, emit }, (result) =>
        withSites(
          analyse([...result.exchanges, ...result.observations], knowledge),
          (address) => opts.site ?? targets.siteOf?.(address),
        ),
      ),
    });
  } finally {
    stop.dispose();
    for (const w of writers) w.sweepEnded?.();
  }
  const summary = summaryEvent({ opts, targetTokens, knowledge, startedAt, total, stats, found, stop });
  emit(summary);
  if (stats.untested > 0) {
    log.warn(
      { untested: stats.untested },
      'some addresses could not be tested (the kernel refused); they are not reported absent',
    );
  }
  for (const w of writers) w.close?.(summary);
  if (stop.interruptedBy) return stop.interruptedBy === 'SIGINT' ? 130 : 143;
  return failCode(found.findings, opts.failOn);
}

function interfaceChoice(names: string[] | undefined): InterfaceChoice {
  if (!names || names.length === 0) return 'auto';
  const [only] = names;
  return names.length === 1 && (only === 'auto' || only === 'all' || only === 'none') ? only : names;
}

/**
 * --out, --record and stdout (the JSONL stream, or a closing report; --out - already is the stream).
 * Files open now, --out first: one that cannot be written fails the scan before anything is sent.
 */
function openWriters(opts: ScanOptions, found: EventSet, names: (vendorId: string) => string): EventWriter[] {
  const format = opts.quiet ? 'none' : (opts.format ?? (process.stdout.isTTY ? 'table' : 'jsonl'));
  const writers: EventWriter[] = [];
  if (opts.out) writers.push(new JsonlEventWriter(opts.out));
  if (opts.record) writers.push(new RecordWriter(opts.record));
  if (format === 'jsonl' && opts.out !== '-') writers.push(new JsonlEventWriter('-'));
  if (format === 'table' || format === 'csv' || format === 'html') {
    writers.push(new ReportWriter(format, found, names));
  }
  return writers;
}

interface Stop {
  readonly signal: AbortSignal;
  readonly interruptedBy: NodeJS.Signals | undefined;
  dispose(): void;
}

/** SIGINT and SIGTERM stop the sweep: no new work, in-flight probes end now, results are kept. */
function stopOnSignals(log: Logger): Stop {
  const controller = new AbortController();
  let interruptedBy: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interruptedBy) return;
    interruptedBy = sig;
    log.warn({ signal: sig }, 'stopping: no new work; in-flight probes end now');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    get interruptedBy() {
      return interruptedBy;
    },
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

function sweepLimits(
  opts: ScanOptions,
): Pick<
  SweepOptions,
  | 'concurrency'
  | 'perHost'
  | 'ratePerHost'
  | 'connectTimeoutMs'
  | 'probeTimeoutMs'
  | 'hostTimeoutMs'
  | 'wsdPort'
  | 'udpWindowMs'
  | 'multicastWindowMs'
> {
  return {
    concurrency: opts.concurrency,
    perHost: opts.perHost,
    ratePerHost: opts.rate,
    connectTimeoutMs: opts.connectTimeout,
    probeTimeoutMs: opts.timeout,
    hostTimeoutMs: opts.hostTimeout,
    wsdPort: opts.wsdPort,
    udpWindowMs: opts.udpWindow,
    multicastWindowMs: opts.multicastWindow,
  };
}

/** What the sweep reports as it goes, passed to the writers and the log. */
function sweepReporting(
  ctx: { opts: ScanOptions; log: Logger; writers: readonly EventWriter[]; emit: (e: SweepEvent) => void },
  identify: (result: HostResult) => { devices: Device[]; findings: Finding[] },
): Pick<SweepOptions, 'onExchange' | 'onHost' | 'onOutcome' | 'onHostDone' | 'onHostError' | 'onProgress'> {
  const { opts, log, writers, emit } = ctx;
  return {
    onExchange: (ex) => {
      for (const w of writers) w.exchange?.(ex);
    },
    onHost: (result) => {
      for (const o of result.observations) for (const w of writers) w.observation?.(o);
      const analysis = identify(result);
      for (const d of analysis.devices) emit(d);
      for (const f of analysis.findings) emit(f);
    },
    onOutcome: (o) => {
      if (o.status === 'out-of-scope')
        log.info({ probe: o.probe, host: o.host, detail: o.detail }, 'out of scope: not contacted');
      if (opts.verbose) emit(probeStatusEvent(o));
    },
    onHostDone: (host, state, ms) => log.debug({ host, state, ms }, 'host done'),
    onHostError: (host, err) => log.error({ host, err: String(err) }, 'could not report this host'),
    onProgress: (done) => {
      for (const w of writers) w.progress?.(done);
    },
  };
}

function probeStatusEvent(o: ProbeOutcome): ProbeStatusEvent {
  return {
    type: 'probe-status',
    schemaVersion: SCHEMA_VERSION,
    probe: o.probe,
    host: o.host,
    ...(o.port !== undefined ? { port: o.port } : {}),
    status: o.status,
    ...(o.detail ? { detail: o.detail } : {}),
  };
}

function summaryEvent(run: {
  opts: ScanOptions;
  targetTokens: string[];
  knowledge: Knowledge;
  startedAt: string;
  total: bigint;
  stats: SweepStats;
  found: EventSet;
  stop: Stop;
}): SummaryEvent {
  const { opts, knowledge, startedAt, stats, found } = run;
  const { interruptedBy } = run.stop;
  return {
    type: 'summary',
    schemaVersion: SCHEMA_VERSION,
    version: VERSION,
    command: opts.commandLine ?? `camsweep ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt,
    finishedAt: new Date().toISOString(),
    complete: stats.complete,
    ...(interruptedBy ? { interruptedBy } : {}),
    targets: run.targetTokens,
    policies: knowledge.policies.map((p) => p.id),
    addresses: {
      total: run.total.toString(),
      done: stats.addressesDone,
      live: stats.live,
      untested: stats.untested,
    },
    devices: found.devices.length,
    findings: countFindings(found.findings),
    statuses: stats.statuses,
    outOfScope: stats.outOfScope,
    slowdowns: stats.pressureEvents,
    durations: {
      totalMs: Date.now() - Date.parse(startedAt),
      ...(stats.multicastMs > 0 ? { multicastMs: stats.multicastMs } : {}),
    },
    fingerprints: knowledge.library.size,
  };
}

/** --enable/--disable, checked against the registry so a typo is an error, not a silent no-op. */
function probeSettings(opts: ScanOptions): ProbeSettings {
  const known = new Set(allProbeIds());
  for (const id of [...(opts.enable ?? []), ...(opts.disable ?? [])]) {
    if (!known.has(id)) {
      throw new CamsweepError('USAGE', `unknown probe "${id}" (known: ${[...known].join(', ')})`);
    }
  }
  const enabled = new Set(opts.enable ?? []);
  return {
    ...DEFAULT_SETTINGS,
    enabled,
    disabled: new Set(opts.disable ?? []),
    ...secretSettings(
      {
        ...(opts.credentialsFile ? { credentialsFile: opts.credentialsFile } : {}),
        ...(opts.snmpCommunityFile ? { snmpCommunityFile: opts.snmpCommunityFile } : {}),
        ...(opts.snmpPort !== undefined ? { snmpPort: opts.snmpPort } : {}),
      },
      enabled,
    ),
  };
}

/** Sites come from the user, not the device, so they are set here rather than in the pure analysis. */
function withSites<T extends { devices: Device[]; findings: Finding[] }>(
  analysis: T,
  siteOf: (address: string) => string | undefined,
): T {
  for (const d of analysis.devices) {
    const site = d.addresses.map(siteOf).find(Boolean);
    if (site) d.site = site;
  }
  for (const f of analysis.findings) {
    const site = analysis.devices.find((d) => d.id === f.device)?.site;
    if (site) f.site = site;
  }
  return analysis;
}

function countFindings(findings: readonly Finding[]): Record<string, number> {
  const out: Record<string, number> = { restricted: 0, review: 0 };
  for (const f of findings) out[f.severity] = (out[f.severity] ?? 0) + 1;
  return out;
}
