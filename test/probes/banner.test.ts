/**
 * Telnet and FTP greeting probes: the parsers on real published greetings, property tests, the
 * banners.yaml escape format, and the probes against the loopback lab (the Hikvision telnetd and
 * AXIS M1011 FTP personas) with every fault. Addresses: 127.78.70.0/24 (lab), 127.78.71.0/24
 * (one-off personas and one test-local server).
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Exchange, encodeResponse, responseBytes } from '../../src/core/exchange.ts';
import type { ScopeGuard } from '../../src/core/scope.ts';
import { PROBE_STATUSES } from '../../src/core/status.ts';
import { readYamlFile } from '../../src/core/yaml-file.ts';
import { createScopeGuard } from '../../src/engine/scope.ts';
import { buildTargetSet } from '../../src/engine/targets.ts';
import { identify } from '../../src/fingerprints/identify.ts';
import { loadLibrary } from '../../src/fingerprints/load.ts';
import { type LabHandle, startLoopbackLab } from '../../src/lab/lab.ts';
import { loadPersona, type Persona } from '../../src/lab/persona.ts';
import {
  type BannersConfig,
  decodeGreeting,
  encodeGreeting,
  GREETING_PATTERN,
} from '../../src/lab/responders/banners.ts';
import { startPersona } from '../../src/lab/services.ts';
import { isField } from '../../src/observations/fields.ts';
import { observe } from '../../src/observations/observe.ts';
import { GREETING_MAX_BYTES } from '../../src/probes/banner/message.ts';
import {
  bannerLines,
  MAX_LINE_CHARS,
  MAX_LINES,
  observeFtp,
  observeTelnet,
  stripTelnet,
} from '../../src/probes/banner/parse.ts';
import { ftpBannerProbe, telnetBannerProbe } from '../../src/probes/banner/probe.ts';
import { DEFAULT_SETTINGS } from '../../src/probes/settings.ts';
import type { ProbeContext, ServiceProbe } from '../../src/probes/types.ts';
import { networkTransport } from '../../src/transport/transport.ts';
import { faultMatrix } from '../helpers/fault-matrix.ts';
import { persona, type RunOverrides } from '../helpers/probe-lab.ts';

const library = loadLibrary();
const IAC = 255;
const HIK = persona('hikvision-nvr-dvrdvs-telnetd');
const AXIS = persona('axis-m1011-5-20-1');

/** The bytes each persona greets with, decoded from its banners.yaml. */
function greetingOf(p: Persona): Buffer {
  const cfg = readYamlFile(join(p.dir, 'banners.yaml'), 'LAB').data as BannersConfig;
  return decodeGreeting(cfg.greetings[0]?.greeting ?? '');
}
/** BusyBox 1.19 telnetd's negotiation (DO ECHO, DO NAWS, WILL ECHO, WILL SGA), then login's prompt. */
const HIK_PROMPT = greetingOf(HIK);
const AXIS_FTP = greetingOf(AXIS);
const VSFTPD = Buffer.from('220 (vsFTPd 3.0.3)\r\n');

function ex(protocol: 'telnet' | 'ftp', bytes: Buffer): Exchange {
  return {
    type: 'exchange',
    host: '192.0.2.1',
    port: protocol === 'ftp' ? 21 : 23,
    transport: 'tcp',
    protocol,
    ...encodeResponse(bytes),
  };
}

describe('banners.yaml greetings (escape format)', () => {
  it('spells every byte of the personas’ greetings: telnet negotiation, CR CR LF, the prompt', () => {
    expect([...HIK_PROMPT.subarray(0, 12)]).toEqual([
      IAC,
      0xfd,
      0x01,
      IAC,
      0xfd,
      0x1f,
      IAC,
      0xfb,
      0x01,
      IAC,
      0xfb,
      0x03,
    ]);
    expect(HIK_PROMPT.subarray(12).toString('latin1')).toBe('\r\r\ndvrdvs login: ');
    expect(AXIS_FTP.toString('latin1')).toBe('220 AXIS M1011 Network Camera 5.20.1 (Oct 25 2010) ready.\r\n');
  });

  it('round-trips any bytes, and what it writes is always in the format', () => {
    const re = new RegExp(GREETING_PATTERN, 'u');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), (bytes) => {
        const text = encodeGreeting(Buffer.from(bytes));
        expect(text).toMatch(re);
        expect([...decodeGreeting(text)]).toEqual([...bytes]);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses what YAML double quotes would make of escapes, and unknown or cut escapes', () => {
    // In double quotes YAML turns \xff into U+00FF (two bytes in UTF-8) and \r\n into real controls.
    for (const bad of ['\u00ffdvrdvs', '220 ready.\r\n', 'a\\', '\\x4', '\\q', '\\xg0', '']) {
      expect(() => decodeGreeting(bad), JSON.stringify(bad)).toThrow(/escape format/);
    }
    expect([...decodeGreeting('\\\\\\0\\t')]).toEqual([0x5c, 0x00, 0x09]);
  });

  it('a persona whose banners.yaml breaks the format does not start, and the error names file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'camsweep-banners-'));
    try {
      cpSync(AXIS.dir, dir, { recursive: true });
      writeFileSync(
        join(dir, 'banners.yaml'),
        'greetings:\n  - port: 21\n    service: ftp\n    greeting: "220 ready.\\r\\n"\n    provenance: [{ fact: f, source: s }]\n',
      );
      await expect(
        startPersona(loadPersona(dir), '127.78.71.20', { mode: 'loopback', wsdPort: 3702 }),
      ).rejects.toThrow(/banners\.yaml:4: greetings\.0\.greeting must match pattern/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('banner parsers', () => {
  it('strips telnet negotiation (incl. subnegotiation and IAC IAC) and keeps the prompt', () => {
    expect(stripTelnet(HIK_PROMPT).toString('latin1')).toBe('\r\r\ndvrdvs login: ');
    const sb = Buffer.from([IAC, 250, 24, 1, IAC, 240, 0x41, IAC, IAC, 0x42, IAC]);
    expect([...stripTelnet(sb)]).toEqual([0x41, 255, 0x42]);
  });

  it('the Hikvision telnet prompt names Hikvision; vsftpd names no maker', () => {
    const telnet = observeTelnet(ex('telnet', HIK_PROMPT));
    expect(telnet.map((o) => [o.field, o.value])).toEqual([['telnet.banner', 'dvrdvs login:']]);
    expect(identify(telnet, library).map((i) => i.maker)).toEqual(['hikvision']);
    const ftp = observe(ex('ftp', VSFTPD));
    expect(ftp.map((o) => [o.field, o.value])).toEqual([['ftp.banner', '220 (vsFTPd 3.0.3)']]);
    expect(identify(ftp, library).filter((i) => i.maker)).toEqual([]);
  });

  it.each([
    ['220 AXIS M1011 Network Camera 5.20.1 (Oct 25 2010) ready.\r\n', 'M1011', '5.20.1'],
    ['220 AXIS P1357 Network Camera 5.40.19.2 (2014) ready.\r\n', 'P1357', '5.40.19.2'],
  ])('the Axis FTP greeting %j names Axis, model and firmware', (greeting, model, firmware) => {
    const ids = identify(observeFtp(ex('ftp', Buffer.from(greeting))), library);
    expect(ids).toMatchObject([{ maker: 'axis', model, firmware, deviceType: 'camera' }]);
  });

  it('an FTP port that does not greet with a reply code yields no ftp.banner', () => {
    expect(observeFtp(ex('ftp', Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')))).toEqual([]);
  });

  it('multi-line greetings become one observation per line, capped', () => {
    const many = Buffer.from(
      Array.from({ length: 50 }, (_, i) => `220-line ${i} ${'x'.repeat(400)}`).join('\r\n'),
    );
    const lines = bannerLines(many);
    expect(lines).toHaveLength(MAX_LINES);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(MAX_LINE_CHARS);
  });

  it('never throws, bounded, registered fields only, for any bytes (invalid UTF-8 included)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.boolean(), (bytes, asFtp) => {
        const buf = Buffer.from(bytes);
        const obs = asFtp
          ? observeFtp(ex('ftp', Buffer.concat([Buffer.from('220 '), buf])))
          : observeTelnet(ex('telnet', buf));
        expect(obs.length).toBeLessThanOrEqual(MAX_LINES);
        for (const o of obs) {
          expect(isField(o.field)).toBe(true);
          expect(Array.from(o.value).length).toBeLessThanOrEqual(MAX_LINE_CHARS);
          // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting none survive
          expect(o.value).not.toMatch(/[\u0000-\u001f]/);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('telnet and FTP probes against the loopback lab', () => {
  const TELNET = 20023;
  const FTP = 20021;
  let lab: LabHandle;
  let guard: ScopeGuard;
  const at: Record<string, string> = {};
  let local: Server;
  let localPort = 0;
  const received: Buffer[] = [];

  beforeAll(async () => {
    const lineup: [string, Persona][] = [
      ['hikvision', HIK],
      ['axis', AXIS],
      ...(['split', 'drip'] as const).map((f): [string, Persona] => [
        `telnet-${f}`,
        { ...HIK, faults: { telnet: f } },
      ]),
      ['telnet-reset', { ...HIK, faults: { banner: 'reset' } }],
      ...(['hang', 'reset', 'split', 'drip', 'garbage', 'oversize', 'duplicate'] as const).map(
        (f): [string, Persona] => [`ftp-${f}`, { ...AXIS, faults: { ftp: f } }],
      ),
    ];
    lab = await startLoopbackLab({ personas: lineup.map(([, p]) => p), base: '127.78.70.10' });
    for (const [i, [key]] of lineup.entries()) at[key] = lab.personas[i]?.address ?? '';
    // One test-local server, for what the lab cannot show: what the probe sends (nothing).
    local = createServer((s) => {
      s.on('data', (d: Buffer) => received.push(d));
      s.on('error', () => {});
      s.write(HIK_PROMPT);
      s.setTimeout(5000, () => s.destroy());
    });
    await new Promise<void>((resolve) => local.listen(0, '127.78.71.1', () => resolve()));
    const a = local.address();
    localPort = typeof a === 'object' && a ? a.port : 0;
    guard = createScopeGuard(await buildTargetSet({ targets: [...lab.targets, '127.78.71.1'] }));
  });
  afterAll(async () => {
    await lab?.stop();
    await new Promise<void>((resolve) => (local ? local.close(() => resolve()) : resolve()));
  });

  async function run(probe: ServiceProbe, host: string, port: number, deadlineMs = 4000) {
    const exchanges: Exchange[] = [];
    const ctx: ProbeContext = {
      signal: AbortSignal.timeout(deadlineMs),
      guard,
      transport: networkTransport,
      record: (e) => exchanges.push(e),
      wsdPort: 3702,
      udpWindowMs: 300,
      settings: DEFAULT_SETTINGS,
    };
    const started = Date.now();
    const outcome = await probe.run({ host, port }, ctx);
    const ms = Date.now() - started;
    expect(PROBE_STATUSES).toContain(outcome.status);
    const observations = exchanges.flatMap(observe);
    return { host, outcome, exchanges, observations, ids: identify(observations, library), ms };
  }

  it('Hikvision telnetd: the prompt after the negotiation names Hikvision; the raw bytes are recorded', async () => {
    const r = await run(telnetBannerProbe, at.hikvision ?? '', TELNET);
    expect(r.outcome.status).toBe('success');
    expect(r.observations.map((o) => [o.field, o.value])).toEqual([['telnet.banner', 'dvrdvs login:']]);
    expect(r.ids.map((i) => i.maker)).toEqual(['hikvision']);
    // Kept verbatim (IAC bytes included), so `identify --from` sees what the live sweep saw.
    expect(r.exchanges).toHaveLength(1);
    expect(responseBytes(r.exchanges[0] as Exchange).equals(HIK_PROMPT)).toBe(true);
  });

  it('AXIS M1011: the FTP greeting names Axis, the model and the firmware', async () => {
    const r = await run(ftpBannerProbe, at.axis ?? '', FTP);
    expect(r.outcome.status).toBe('success');
    expect(r.ids).toMatchObject([{ maker: 'axis', model: 'M1011', firmware: '5.20.1' }]);
  });

  it('sends nothing: reads the greeting without a byte to the device', async () => {
    const r = await run(telnetBannerProbe, '127.78.71.1', localPort);
    expect(r.outcome.status).toBe('success');
    expect(r.exchanges[0]?.request).toBeUndefined();
    expect(Buffer.concat(received).length).toBe(0);
  });

  it('a persona speaks only the services its banners.yaml lists', async () => {
    expect((await run(ftpBannerProbe, at.hikvision ?? '', FTP)).outcome.status).toBe('connection-refused');
    expect((await run(telnetBannerProbe, at.axis ?? '', TELNET)).outcome.status).toBe('connection-refused');
  });

  /** A fault key names its service: telnet-… or ftp-…. */
  const serviceOf = (key: string) =>
    key.startsWith('telnet-')
      ? { probe: telnetBannerProbe, port: TELNET }
      : { probe: ftpBannerProbe, port: FTP };
  const runFault = (key: string, overrides: RunOverrides = {}) => {
    const { probe, port } = serviceOf(key);
    return run(probe, at[key] ?? '', port, overrides.timeoutMs);
  };
  type BannerRun = Awaited<ReturnType<typeof run>>;
  const AXIS_M1011 = [{ maker: 'axis', model: 'M1011', firmware: '5.20.1' }];
  /** A dripped greeting ends well within the deadline and names nothing from a fragment. */
  const dripChecks = (r: BannerRun, key: string) => {
    expect(r.ms, key).toBeLessThan(serviceOf(key).probe.timeoutMs);
    expect(r.ids, key).toEqual([]);
    for (const e of r.exchanges) expect(responseBytes(e).length, key).toBeLessThan(4);
  };

  faultMatrix(runFault, [
    {
      name: 'hang (a silent port): no-response when the greeting window closes, nothing recorded',
      keys: 'ftp-hang',
      status: 'no-response',
      exchanges: 0,
      check: (r) => expect(r.ms).toBeLessThan(ftpBannerProbe.timeoutMs),
    },
    {
      name: 'hang: the probe deadline still wins over the greeting window',
      keys: 'ftp-hang',
      overrides: { timeoutMs: 300 },
      status: 'connection-timeout',
    },
    {
      name: 'reset (ftp-reset, telnet-reset): connection-reset, nothing attributed',
      keys: ['ftp-reset', 'telnet-reset'],
      status: 'connection-reset',
      check: (r) => expect(r.ids).toEqual([]),
    },
    {
      name: 'split writes (7-byte pieces), telnet: the same greeting and the same verdict as in one piece',
      keys: 'telnet-split',
      status: 'success',
      check: (r) => {
        expect(r.observations.map((o) => o.value)).toEqual(['dvrdvs login:']);
        expect(r.ids.map((i) => i.maker)).toEqual(['hikvision']);
      },
    },
    {
      name: 'split writes (7-byte pieces), FTP: the same verdict as in one piece',
      keys: 'ftp-split',
      status: 'success',
      check: (r) => expect(r.ids).toMatchObject(AXIS_M1011),
    },
    {
      // A stalled FTP line is cut short, not another protocol.
      name: 'drip (1 byte/s), FTP: connection-timeout well within the probe deadline, nothing named',
      keys: 'ftp-drip',
      status: 'connection-timeout',
      check: dripChecks,
    },
    {
      // Telnet's first byte is negotiation, so the probe has heard a telnet server.
      name: 'drip (1 byte/s), telnet: success well within the probe deadline, nothing named',
      keys: 'telnet-drip',
      status: 'success',
      check: dripChecks,
    },
    {
      name: 'garbage on the FTP port: protocol-mismatch, recorded, no ftp.banner',
      keys: 'ftp-garbage',
      status: 'protocol-mismatch',
      exchanges: 1,
      observations: 0,
    },
    {
      name: 'oversize: an endless greeting line is cut at the byte cap, and the cut line names no model',
      keys: 'ftp-oversize',
      status: 'success',
      observations: 1,
      check: (r) => {
        expect(responseBytes(r.exchanges[0] as Exchange).length).toBeLessThanOrEqual(GREETING_MAX_BYTES);
        expect(r.observations[0]?.value.length).toBe(MAX_LINE_CHARS);
        expect(r.ids).toEqual([]);
      },
    },
    {
      name: 'duplicate greeting: both lines kept, the same verdict',
      keys: 'ftp-duplicate',
      status: 'success',
      check: (r) => {
        expect(r.observations.map((o) => o.value)).toEqual([
          '220 AXIS M1011 Network Camera 5.20.1 (Oct 25 2010) ready.',
          '220 AXIS M1011 Network Camera 5.20.1 (Oct 25 2010) ready.',
        ]);
        expect(new Set(r.ids.map((i) => `${i.maker} ${i.model} ${i.firmware}`))).toEqual(
          new Set(['axis M1011 5.20.1']),
        );
      },
    },
  ]);
});
