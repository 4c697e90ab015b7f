import { Command, Option } from 'commander';
import type { Device } from '../../core/device.ts';
import { CamsweepError } from '../../core/errors.ts';
import type { Finding } from '../../core/finding.ts';
import { VERSION } from '../../core/version.ts';
import { DEFAULT_PORTS, formatPorts, parsePorts } from '../../engine/ports.ts';
import { createScopeGuard } from '../../engine/scope.ts';
import { sweep } from '../../engine/sweep.ts';
import { buildTargetSet } from '../../engine/targets.ts';
import { analyse } from '../../fingerprints/analyse.ts';
import { ouiOrganisation } from '../../observations/oui.ts';
import { redactExchange } from '../../observations/record.ts';
import { CREDENTIALS_ENV, SNMP_COMMUNITY_ENV, secretSettings } from '../credentials.ts';
import { allProbeIds } from '../../probes/index.ts';
import { DEFAULT_SETTINGS } from '../../probes/settings.ts';
import type { ProbeSettings } from '../../probes/types.ts';
import { renderCsv } from '../../report/csv.ts';
import type { EventSet, ProbeStatusEvent, SummaryEvent, SweepEvent } from '../../report/events.ts';
import { renderHtml } from '../../report/html.ts';
import { JsonlWriter } from '../../report/jsonl.ts';
import { SCHEMA_VERSION } from '../../core/schema-version.ts';
import { renderTable } from '../../report/table.ts';
import { chooseInterfaces, type InterfaceChoice } from '../../transport/multicast.ts';
import { loadKnowledge } from '../knowledge.ts';
import { makeLogger } from '../log.ts';
import { collect, collectList, intOption } from '../options.ts';

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
    .option('--log-level <level>', 'stderr log level (fatal, error, warn, info, debug)', 'warn')
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
  const knowledge = loadKnowledge(opts.policy);
  // Load the OUI registry now: opening files mid-sweep can fail once sockets use every descriptor.
  ouiOrganisation('00:00:00:00:00:00');
  const ports = opts.ports ? parsePorts(opts.ports) : [...DEFAULT_PORTS];
  const targets = await buildTargetSet({
    targets: targetTokens,
    ...(opts.exclude ? { exclude: opts.exclude } : {}),
    ...(opts.excludeFile ? { excludeFiles: opts.excludeFile } : {}),
    ...(opts.allowLarge ? { allowLarge: true } : {}),
  });
  const guard = createScopeGuard(targets);
  const settings = probeSettings(opts);
  const choice: InterfaceChoice =
    !opts.interface || opts.interface.length === 0
      ? 'auto'
      : opts.interface.length === 1 && ['auto', 'all', 'none'].includes(opts.interface[0] ?? '')
        ? (opts.interface[0] as 'auto' | 'all' | 'none')
        : opts.interface;
  const ranges = targets.specs.flatMap((s) => (s.kind === 'range' ? [s] : []));
  const interfaces = chooseInterfaces(choice, ranges);
  const format = opts.quiet ? 'none' : (opts.format ?? (process.stdout.isTTY ? 'table' : 'jsonl'));
  const out = opts.out ? new JsonlWriter(opts.out) : undefined;
  const record = opts.record ? new JsonlWriter(opts.record) : undefined;
  const stdoutStream = format === 'jsonl' && opts.out !== '-' ? new JsonlWriter('-') : undefined;
  // Only devices and findings are kept for the closing report; everything streams out as it comes.
  const set: EventSet = { devices: [], findings: [] };
  const emit = (e: SweepEvent) => {
    if (e.type === 'device') set.devices.push(e);
    else if (e.type === 'finding') set.findings.push(e);
    out?.write(e);
    stdoutStream?.write(e);
  };

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

  const total = targets.count();
  const progress = process.stderr.isTTY ? progressLine(total) : undefined;
  const startedAt = new Date().toISOString();
  log.info(
    { targets: targetTokens, addresses: total.toString(), interfaces: interfaces.map((i) => i.name) },
    'sweep starts',
  );
  let stats: Awaited<ReturnType<typeof sweep>>;
  try {
    stats = await sweep({
      targets,
      guard,
      ports,
      interfaces,
      signal: controller.signal,
      concurrency: opts.concurrency,
      perHost: opts.perHost,
      ratePerHost: opts.rate,
      connectTimeoutMs: opts.connectTimeout,
      probeTimeoutMs: opts.timeout,
      hostTimeoutMs: opts.hostTimeout,
      wsdPort: opts.wsdPort,
      udpWindowMs: opts.udpWindow,
      multicastWindowMs: opts.multicastWindow,
      settings,
      onExchange: (ex) => record?.write(redactExchange(ex)),
      onHost: (result) => {
        for (const o of result.observations) record?.write(o);
        const analysis = withSites(
          analyse([...result.exchanges, ...result.observations], knowledge),
          (address) => opts.site ?? targets.siteOf?.(address),
        );
        for (const d of analysis.devices) emit(d);
        for (const f of analysis.findings) emit(f);
      },
      onOutcome: (o) => {
        if (o.status === 'out-of-scope')
          log.info({ probe: o.probe, host: o.host, detail: o.detail }, 'out of scope: not contacted');
        if (!opts.verbose) return;
        const e: ProbeStatusEvent = {
          type: 'probe-status',
          schemaVersion: SCHEMA_VERSION,
          probe: o.probe,
          host: o.host,
          ...(o.port !== undefined ? { port: o.port } : {}),
          status: o.status,
          ...(o.detail ? { detail: o.detail } : {}),
        };
        emit(e);
      },
      onHostDone: (host, state, ms) => log.debug({ host, state, ms }, 'host done'),
      onHostError: (host, err) => log.error({ host, err: String(err) }, 'could not report this host'),
      onProgress: (done) => progress?.(done, set.devices.length, set.findings.length),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (progress) process.stderr.write('\n');
  }
  const summary: SummaryEvent = {
    type: 'summary',
    schemaVersion: SCHEMA_VERSION,
    version: VERSION,
    command: opts.commandLine ?? `camsweep ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt,
    finishedAt: new Date().toISOString(),
    complete: stats.complete,
    ...(interruptedBy ? { interruptedBy } : {}),
    targets: targetTokens,
    policies: knowledge.policies.map((p) => p.id),
    addresses: {
      total: total.toString(),
      done: stats.addressesDone,
      live: stats.live,
      untested: stats.untested,
    },
    devices: set.devices.length,
    findings: countFindings(set.findings),
    statuses: stats.statuses,
    outOfScope: stats.outOfScope,
    slowdowns: stats.pressureEvents,
    durations: {
      totalMs: Date.now() - Date.parse(startedAt),
      ...(stats.multicastMs > 0 ? { multicastMs: stats.multicastMs } : {}),
    },
    fingerprints: knowledge.library.size,
  };
  emit(summary);
  out?.close();
  record?.close();
  if (stats.untested > 0) {
    log.warn(
      { untested: stats.untested },
      'some addresses could not be tested (the kernel refused); they are not reported absent',
    );
  }
  if (format === 'table') {
    set.summary = summary;
    process.stdout.write(renderTable(set, { colour: !!process.stdout.isTTY, names: knowledge.vendors.name }));
  } else if (format === 'csv') {
    process.stdout.write(renderCsv(set));
  } else if (format === 'html') {
    set.summary = summary;
    process.stdout.write(renderHtml(set, { generatedAt: summary.finishedAt, names: knowledge.vendors.name }));
  }
  if (interruptedBy) return interruptedBy === 'SIGINT' ? 130 : 143;
  return failCode(set.findings, opts.failOn);
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

function progressLine(total: bigint): (done: number, devices: number, findings: number) => void {
  const started = Date.now();
  let last = 0;
  return (done, devices, findings) => {
    const now = Date.now();
    if (now - last < 200 && BigInt(done) !== total) return;
    last = now;
    const rate = done / Math.max(0.001, (now - started) / 1000);
    const left = Number(total) - done;
    const eta = rate > 0 ? Math.round(left / rate) : 0;
    process.stderr.write(
      `\r${done}/${total} addresses · ${devices} devices · ${findings} findings · ETA ${eta}s   `,
    );
  };
}
