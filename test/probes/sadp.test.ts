/**
 * Hikvision SADP: the inquiry we send, the pure parser on real published replies, hostile input
 * (property-based), the unicast probe against the loopback lab with every SADP fault, and the scope
 * guard on the web port a reply advertises. Addresses: 127.78.10.0 – 127.78.19.255 only.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type Exchange, encodeResponse } from '../../src/core/exchange.ts';
import type { Observation } from '../../src/core/observation.ts';
import { createScopeGuard } from '../../src/engine/scope.ts';
import { buildTargetSet } from '../../src/engine/targets.ts';
import { loadLibrary } from '../../src/fingerprints/load.ts';
import { loadVendors } from '../../src/fingerprints/vendors.ts';
import { type LabHandle, startLoopbackLab } from '../../src/lab/lab.ts';
import { listPersonas, loadPersona, type Persona } from '../../src/lab/persona.ts';
import { sadpResponder } from '../../src/lab/responders/sadp.ts';
import { isField } from '../../src/observations/fields.ts';
import { analyse } from '../../src/pipeline/analyse.ts';
import { loadPolicy } from '../../src/policy/load.ts';
import { httpFollowUpProbe } from '../../src/probes/http/follow-up.ts';
import { FOLLOW_UP_PROBES, HOST_PROBES, MULTICAST_DISCOVERY } from '../../src/probes/index.ts';
import { sadpDiscovery } from '../../src/probes/sadp/discovery.ts';
import { buildInquiry, inquiryUuid, SADP_GROUP, SADP_PORT } from '../../src/probes/sadp/message.ts';
import { advertisedHttpUrl, observeSadp, parseSadp, sadpBool } from '../../src/probes/sadp/parse.ts';
import { sadpUnicastProbe } from '../../src/probes/sadp/probe.ts';
import { faultLineup, faultMatrix, udpRepliesTo } from '../helpers/fault-matrix.ts';
import { anyBytes, expectBoundedObservations, hostileInputs } from '../helpers/hostile-input.ts';
import { persona, probeContext, sweepTargets, tokenSoup, useFaultLab } from '../helpers/probe-lab.ts';

const HOST = '127.78.10.99';

/** The real SADP reply of a DS-2CD2385G1-I (Haicam/Haicam golang/discovery.go, commit 307e0a37…). */
const HAICAM = `<?xml version="1.0" encoding="UTF-8"?>
<ProbeMatch>
<Uuid>e8ecfe09-90e4-44c0-842b-703f46b58c81</Uuid>
<Types>inquiry</Types>
<DeviceType>141945</DeviceType>
<DeviceDescription>DS-2CD2385G1-I</DeviceDescription>
<DeviceSN>DS-2CD2385G1-I20200414AAWRE33842150</DeviceSN>
<CommandPort>8000</CommandPort>
<HttpPort>80</HttpPort>
<MAC>58-50-ed-1f-e3-85</MAC>
<IPv4Address>192.168.124.40</IPv4Address>
<IPv4SubnetMask>255.255.255.0</IPv4SubnetMask>
<IPv4Gateway>192.168.124.1</IPv4Gateway>
<DHCP>true</DHCP>
<SoftwareVersion>V5.6.2build 190701</SoftwareVersion>
<DSPVersion>V7.3 build 190626</DSPVersion>
<Activated>true</Activated>
<DetailOEMCode>1</DetailOEMCode>
<HCPlatformEnable>flase</HCPlatformEnable>
</ProbeMatch>`;

/** UniversalScanner Hikvision.selftest (synthetic values, PROTOCOLS.md §3.1), one line. */
const US_SELFTEST =
  '<?xml version="1.0" encoding="UTF-8"?><ProbeMatch><Uuid>11223344-5566-7788-9900-112233445566</Uuid><Types>inquiry</Types>' +
  '<DeviceType>123456</DeviceType><DeviceDescription>Virtual</DeviceDescription><DeviceSN>Virtual-123456789</DeviceSN>' +
  '<CommandPort>8000</CommandPort><HttpPort>80</HttpPort><MAC>00-11-22-33-44-55</MAC><IPv4Address>240.0.5.0</IPv4Address>' +
  '<SoftwareVersion>V1.0build 200101</SoftwareVersion><DSPVersion>V1.0build 200101</DSPVersion><Activated>flase</Activated>' +
  '</ProbeMatch>';

const ALL = listPersonas();
function exchangeOf(text: string | Buffer, host = HOST): Exchange {
  return {
    type: 'exchange',
    host,
    port: SADP_PORT,
    transport: 'udp',
    protocol: 'sadp',
    probe: 'sadp-unicast',
    ...encodeResponse(typeof text === 'string' ? Buffer.from(text, 'utf8') : text),
  };
}

function values(obs: Observation[], field: string): string[] {
  return obs.filter((o) => o.field === field).map((o) => o.value);
}

describe('the SADP inquiry', () => {
  it('is exactly the standard inquiry, UUID upper-case, on one line', () => {
    const { uuid, xml } = buildInquiry('e8ecfe09-90e4-44c0-842b-703f46b58c81');
    expect(uuid).toBe('E8ECFE09-90E4-44C0-842B-703F46B58C81');
    expect(xml).toBe(
      '<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>E8ECFE09-90E4-44C0-842B-703F46B58C81</Uuid><Types>inquiry</Types></Probe>',
    );
    expect(inquiryUuid(xml)).toBe(uuid);
  });

  it('every discovery run sends the standard inquiry and nothing else', () => {
    const run = sadpDiscovery.prepare();
    expect(run.payloads).toHaveLength(1);
    expect(inquiryUuid(String(run.payloads[0]))).toMatch(/^[0-9A-F-]{36}$/);
    expect(sadpDiscovery).toMatchObject({ group: SADP_GROUP, port: 37020, listenOnGroup: true });
  });

  it('the lab answers only the standard inquiry (inquiry_v32, lower-case uuid, extra elements: ignored)', () => {
    const id = 'E8ECFE09-90E4-44C0-842B-703F46B58C81';
    for (const crafted of [
      `<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>${id}</Uuid><Types>inquiry_v32</Types></Probe>`,
      `<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>${id.toLowerCase()}</Uuid><Types>inquiry</Types></Probe>`,
      `<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>${id}</Uuid><Types>inquiry</Types><Password>x</Password></Probe>`,
      `<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>${id}</Uuid><Types>update</Types></Probe>`,
    ])
      expect(inquiryUuid(crafted)).toBeUndefined();
  });
});

describe('parseSadp / observeSadp on real published replies', () => {
  it('the Haicam capture (a real DS-2CD2385G1-I): every field, MAC normalised', () => {
    const obs = observeSadp(exchangeOf(HAICAM));
    for (const o of obs) expect(isField(o.field), o.field).toBe(true);
    expect(
      Object.fromEntries(obs.filter((o) => o.field !== 'mac.address').map((o) => [o.field, o.value])),
    ).toEqual({
      'sadp.types': 'inquiry',
      'sadp.device_type': '141945',
      'sadp.device_description': 'DS-2CD2385G1-I',
      'sadp.serial': 'DS-2CD2385G1-I20200414AAWRE33842150',
      'sadp.mac': '58:50:ed:1f:e3:85',
      'sadp.ipv4_address': '192.168.124.40',
      'sadp.software_version': 'V5.6.2build 190701',
      'sadp.dsp_version': 'V7.3 build 190626',
      'sadp.activated': 'true',
      'sadp.oem_code': '1',
      'sadp.command_port': '8000',
      'sadp.http_port': '80',
    });
    expect(values(obs, 'mac.address')).toEqual(['58:50:ed:1f:e3:85']);
  });

  it('the UniversalScanner selftest: Activated "flase" reads as false', () => {
    const parsed = parseSadp(US_SELFTEST);
    expect(parsed.ok && parsed.match).toMatchObject({
      activated: 'false',
      description: 'Virtual',
      mac: '00:11:22:33:44:55',
    });
  });

  it('lenient booleans', () => {
    expect(['true', 'TRUE', '1', 'yes'].map(sadpBool)).toEqual(['true', 'true', 'true', 'true']);
    expect(['false', 'flase', 'FALSE', '0', 'no'].map(sadpBool)).toEqual(Array(5).fill('false'));
    expect(['', 'maybe', undefined].map(sadpBool)).toEqual([undefined, undefined, undefined]);
  });

  it('the advertised web interface becomes a follow-up URL; 0.0.0.0, junk ports and junk addresses do not', () => {
    const parsed = parseSadp(HAICAM);
    expect(parsed.ok && advertisedHttpUrl(parsed.match)).toBe('http://192.168.124.40:80/');
    for (const [ip, port] of [
      ['0.0.0.0', '80'],
      ['192.168.1.300', '80'],
      ['evil.example', '80'],
      ['192.168.1.2', '0'],
      ['192.168.1.2', '99999'],
    ]) {
      const text = HAICAM.replace('192.168.124.40', ip ?? '').replace('<HttpPort>80', `<HttpPort>${port}`);
      const p = parseSadp(text);
      expect(p.ok && advertisedHttpUrl(p.match)).toBeUndefined();
    }
  });

  it('each persona’s sadp.yaml reply parses to its own model, serial and firmware', () => {
    const want: Record<string, { description: string; serial: string; softwareVersion: string }> = {
      'hikvision-ds-2cd2385g1-i-v5-6-2-190701': {
        description: 'DS-2CD2385G1-I',
        serial: 'DS-2CD2385G1-I20200414AAWRE33842150',
        softwareVersion: 'V5.6.2build 190701',
      },
      'hiwatch-ds-i114w-v5-4-81': {
        description: 'DS-I114W',
        serial: 'DS-I114W20171106AAWR123556070',
        softwareVersion: 'V5.4.81',
      },
      'hikvision-ds-kv8213-wme1-c-v2-2-77': {
        description: 'DS-KV8213-WME1(C)',
        serial: 'DS-KV8213-WME1(C)0120230508RRAB0353909',
        softwareVersion: 'V2.2.77',
      },
      'luma-lum-500-nvr-8ch-3-1-2-180322': {
        description: 'LUM-500-NVR-8CH',
        serial: 'LUM-500-NVR-8CH20180402AAWR000020010',
        softwareVersion: 'V3.1.2build 180322',
      },
    };
    const withSadp = ALL.filter((p) => {
      try {
        readFileSync(join(p.dir, 'sadp.yaml'));
        return true;
      } catch {
        return false;
      }
    });
    expect(withSadp.map((p) => p.id).sort()).toEqual(Object.keys(want).sort());
    for (const p of withSadp) {
      const [ex] =
        sadpResponder.sampleExchanges?.(parseYaml(readFileSync(join(p.dir, 'sadp.yaml'), 'utf8')), {
          persona: p,
          host: HOST,
          httpPort: 20080,
        }) ?? [];
      if (!ex) throw new Error('no sample');
      const parsed = parseSadp(ex.response);
      if (!parsed.ok) throw new Error(`${p.id}: ${parsed.reason}`);
      expect(parsed.lenient).toBe(false);
      expect(parsed.match).toMatchObject({
        ...want[p.id],
        mac: p.mac,
        ipv4: HOST,
        httpPort: 20080,
        activated: 'true',
        types: 'inquiry',
      });
    }
  });

  it('a malformed reply (unescaped & and <, a missing or misspelt close tag) is still read', () => {
    for (const text of [
      HAICAM.replace('<IPv4Gateway>', '<IPv4Gateway>a & b < c'),
      HAICAM.replace('</IPv4Gateway>', '</IPv4Gatewa>'),
      HAICAM.replace('</DeviceDescription>', ''),
      HAICAM.replace('</ProbeMatch>', ''),
    ]) {
      const parsed = parseSadp(text);
      if (!parsed.ok) throw new Error(parsed.reason);
      expect(parsed.match).toMatchObject({
        serial: 'DS-2CD2385G1-I20200414AAWRE33842150',
        softwareVersion: 'V5.6.2build 190701',
        activated: 'true',
        httpPort: 80,
      });
    }
  });

  it('refuses entity declarations (billion laughs) without expanding or falling back', () => {
    const ents = ['<!ENTITY a0 "lol">'];
    for (let i = 1; i <= 10; i++) ents.push(`<!ENTITY a${i} "${`&a${i - 1};`.repeat(10)}">`);
    const text = `<?xml version="1.0"?><!DOCTYPE ProbeMatch [${ents.join('')}]>${HAICAM.replace(/<\?xml[^>]*>/, '').replace('<DeviceDescription>', '<DeviceDescription>&a10;')}`;
    expect(parseSadp(text).ok).toBe(false);
    expect(observeSadp(exchangeOf(text))).toEqual([]);
    // An external entity (XXE) is refused the same way.
    const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><ProbeMatch><DeviceDescription>&e;</DeviceDescription></ProbeMatch>`;
    expect(parseSadp(xxe).ok).toBe(false);
  });

  it('refuses 100,000 nested elements, oversize and garbage; survives invalid UTF-8', () => {
    const deep = `<ProbeMatch>${'<b>'.repeat(100_000)}${'</b>'.repeat(100_000)}</ProbeMatch>`;
    expect(() => parseSadp(deep)).not.toThrow();
    expect(parseSadp(deep).ok).toBe(false);
    expect(parseSadp(`<ProbeMatch><DeviceDescription>${'A'.repeat(300_000)}`).ok).toBe(false);
    expect(parseSadp('\u0000\u00ff garbage').ok).toBe(false);
    const bad = Buffer.concat([
      Buffer.from(HAICAM.replace('</DeviceDescription>', '')),
      Buffer.from([0xc3, 0x28, 0xff]),
    ]);
    const obs = observeSadp(exchangeOf(bad));
    for (const o of obs) expect(o.value.length).toBeLessThanOrEqual(256);
    expect(values(obs, 'sadp.serial')).toEqual(['DS-2CD2385G1-I20200414AAWRE33842150']);
  });
});

describe('a SADP reply alone identifies the device (fingerprints/sadp)', () => {
  const vendors = loadVendors();
  const k = { library: loadLibrary(), vendors, policies: [loadPolicy('uk-nil-2022', vendors)] };

  it('the real DS-2CD2385G1-I reply: Hikvision, model, firmware, serial, restricted', () => {
    const { devices, findings } = analyse([exchangeOf(HAICAM)], k);
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({
      maker: 'hikvision',
      model: 'DS-2CD2385G1-I',
      firmware: 'V5.6.2build 190701',
      serial: 'DS-2CD2385G1-I20200414AAWRE33842150',
    });
    expect(findings.map((f) => f.severity)).toEqual(['restricted']);
  });

  it('a HiWatch DS-I… and a Luma LUM-… reply: Hikvision-made, their own brand', () => {
    const hiwatch = HAICAM.replaceAll('DS-2CD2385G1-I', 'DS-I114W');
    expect(analyse([exchangeOf(hiwatch)], k).devices[0]).toMatchObject({
      maker: 'hikvision',
      brand: 'hiwatch',
      model: 'DS-I114W',
    });
    const luma = HAICAM.replaceAll('DS-2CD2385G1-I', 'LUM-500-NVR-8CH');
    expect(analyse([exchangeOf(luma)], k).devices[0]).toMatchObject({
      maker: 'hikvision',
      brand: 'luma',
      model: 'LUM-500-NVR-8CH',
    });
  });

  it('a reply the parser refuses names nobody', () => {
    const bomb = `<!DOCTYPE x [<!ENTITY a "b">]>${HAICAM.replace(/<\?xml[^>]*>/, '')}`;
    expect(analyse([exchangeOf(bomb)], k).devices[0]?.maker).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// Property: hostile input never throws, and whatever comes out is bounded and registered.

const TOKENS = [
  '<ProbeMatch>',
  '</ProbeMatch>',
  ...[
    'Uuid',
    'Types',
    'DeviceType',
    'DeviceDescription',
    'DeviceSN',
    'MAC',
    'IPv4Address',
    'SoftwareVersion',
    'Activated',
    'HttpPort',
    'CommandPort',
    'OEMInfo',
  ].flatMap((t) => [`<${t}>`, `</${t}>`]),
  '<?xml version="1.0"?>',
  '<!DOCTYPE x [',
  '<!ENTITY a "b">',
  ']>',
  '&a;',
  '&amp;',
  '<![CDATA[',
  ']]>',
  '<__proto__>',
  '<constructor>',
  'flase',
  '58-50-ed-1f-e3-85',
  '65536',
  '10.9.9.9',
  '\u0000',
  '\n',
  '\uFFFD',
];
const xmlish = tokenSoup(TOKENS, { stringLength: 300, parts: 120 });

function checkBounded(input: string | Buffer): void {
  const ex = exchangeOf(input, '127.78.10.98');
  expectBoundedObservations(observeSadp(ex), { count: 14, length: 256, host: '127.78.10.98' });
  const text = typeof input === 'string' ? input : input.toString('utf8');
  for (const f of sadpDiscovery.followUps?.(ex) ?? []) {
    expect(f.probe).toBe('http');
    expect(f.url).toMatch(/^http:\/\/\d+\.\d+\.\d+\.\d+:\d+\/$/);
  }
  expect(typeof parseSadp(text).ok).toBe('boolean');
}

describe('parseSadp / observeSadp on hostile input (property)', () => {
  hostileInputs<string | Buffer>(checkBounded, [
    { name: 'never throws on arbitrary strings', input: fc.string({ maxLength: 3000 }), runs: 300 },
    { name: 'never throws on arbitrary bytes', input: anyBytes(3000), runs: 200 },
    { name: 'never throws on XML-ish fragments', input: xmlish, runs: 500 },
  ]);
});

// ---------------------------------------------------------------------------------------------
// The unicast probe against the loopback lab.

const BASE = '127.78.10.10';
const EMPTY = '127.78.10.90';

describe('sadpUnicastProbe against the loopback lab', () => {
  const lab = useFaultLab({
    base: BASE,
    protocol: 'sadp',
    scope: ['127.78.10.0/24'],
    lineup: [
      { key: 'hikvision', persona: 'hikvision-ds-2cd2385g1' },
      { key: 'hiwatch', persona: 'hiwatch-ds-i114w' },
      { key: 'luma', persona: 'luma-lum-500' },
      ...faultLineup('hikvision-ds-2cd2385g1', [
        'duplicate',
        'garbage',
        'hang',
        'entity-bomb',
        'invalid-utf8',
        'malformed',
        'wrong-source',
      ]),
      ...faultLineup('hiwatch-ds-i114w', ['flood']),
      ...faultLineup('luma-lum-500', ['deep-nesting', 'oversize']),
    ],
  });
  const { at } = lab;
  const probe = lab.runner(sadpUnicastProbe, { observe: observeSadp, timeoutMs: 8000, windowMs: 400 });

  it('is registered: a host probe skipped after a multicast SADP answer, an http follow-up, a multicast discovery', () => {
    expect(HOST_PROBES.find((p) => p.id === 'sadp-unicast')?.skipIfMulticast).toBe('sadp');
    expect(MULTICAST_DISCOVERY.some((d) => d.id === 'sadp-multicast')).toBe(true);
    expect(FOLLOW_UP_PROBES.http).toBeDefined();
  });

  it('finds the Hikvision persona: model, serial, firmware, MAC, and a follow-up to its advertised web port', async () => {
    const { outcome, exchanges, observations } = await probe('hikvision');
    expect(outcome.status).toBe('success');
    expect(outcome.followUps).toEqual([{ probe: 'http', url: `http://${at.hikvision}:20080/` }]);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]).toMatchObject({
      host: at.hikvision,
      port: 37020,
      transport: 'udp',
      protocol: 'sadp',
    });
    // The recorded request is the inquiry whose Uuid the reply echoes.
    const uuid = inquiryUuid(exchanges[0]?.request ?? '');
    expect(parseSadp(exchanges[0]?.response ?? '').ok && uuid).toBeTruthy();
    expect(values(observations, 'sadp.device_description')).toEqual(['DS-2CD2385G1-I']);
    expect(values(observations, 'sadp.software_version')).toEqual(['V5.6.2build 190701']);
    expect(values(observations, 'sadp.serial')).toEqual(['DS-2CD2385G1-I20200414AAWRE33842150']);
    expect(values(observations, 'mac.address')).toEqual(['58:50:ed:00:10:01']);
  });

  it('finds the HiWatch and Luma personas with their own models', async () => {
    const hiwatch = await probe('hiwatch');
    expect(hiwatch.outcome.status).toBe('success');
    expect(values(hiwatch.observations, 'sadp.device_description')).toEqual(['DS-I114W']);
    const luma = await probe('luma');
    expect(luma.outcome.status).toBe('success');
    expect(values(luma.observations, 'sadp.device_description')).toEqual(['LUM-500-NVR-8CH']);
  });

  const HIK_SERIAL = ['DS-2CD2385G1-I20200414AAWRE33842150'];
  faultMatrix(probe, [
    { name: 'duplicate replies: success, recorded once', keys: 'duplicate', status: 'success', exchanges: 1 },
    {
      // The flood is sent from this same process, so give its first datagrams time to arrive.
      name: 'a flood of 10,000 datagrams: ends, success, bounded records',
      keys: 'flood',
      overrides: { windowMs: 3000 },
      status: 'success',
      exchanges: { atMost: 2 },
    },
    {
      name: 'garbage: something answered, but not SADP',
      keys: 'garbage',
      status: 'protocol-error',
      exchanges: 0,
      noFollowUps: true,
    },
    { name: 'hang: no-response within the window', keys: 'hang', status: 'no-response', exchanges: 0 },
    {
      name: 'entity bomb: refused, never expanded, no observation',
      keys: 'entity-bomb',
      status: 'protocol-error',
      observations: 0,
    },
    {
      name: 'deep nesting and oversize: refused with a status from the closed set',
      keys: ['deep-nesting', 'oversize'],
      status: 'protocol-error',
      observations: 0,
    },
    {
      name: 'invalid UTF-8 and unescaped XML: still read leniently',
      keys: ['invalid-utf8', 'malformed'],
      status: 'success',
      check: ({ observations }) => expect(values(observations, 'sadp.serial')).toEqual(HIK_SERIAL),
    },
    {
      name: 'a reply from another local address is dropped: no-response',
      keys: 'wrong-source',
      status: 'no-response',
      exchanges: 0,
    },
    { name: 'a host with no responder: no-response', keys: EMPTY, status: 'no-response' },
  ]);

  it('the lab ignores anything but the standard inquiry', async () => {
    const id = buildInquiry().uuid;
    const replies = await udpRepliesTo({ host: at.hikvision ?? '', port: SADP_PORT }, '127.78.10.97', [
      `<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>${id}</Uuid><Types>inquiry_v32</Types></Probe>`,
      `<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>${id}</Uuid><Types>update</Types><Password>x</Password></Probe>`,
      'garbage',
      buildInquiry().xml,
    ]);
    expect(replies).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// The scope guard on advertised addresses.

const TRAP = '127.78.19.250';

describe('an advertised address outside the targets is never contacted', () => {
  let dir: string;
  let lab: LabHandle;
  let trap: Server;
  let trapConnections = 0;

  function advertising(address: string): Persona {
    const copy = join(dir, `hik-${address}`);
    cpSync(persona('hikvision-ds-2cd2385g1').dir, copy, { recursive: true });
    const file = join(copy, 'sadp.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('<IPv4Address>{{host}}', `<IPv4Address>${address}`),
    );
    return loadPersona(copy);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'camsweep-sadp-'));
    trap = createServer((s) => {
      trapConnections += 1;
      s.destroy();
    });
    await new Promise<void>((resolve) => trap.listen(20080, TRAP, resolve));
    lab = await startLoopbackLab({
      personas: [advertising(TRAP), advertising('10.9.9.9')],
      base: '127.78.11.10',
    });
  });

  afterAll(async () => {
    await lab?.stop();
    await new Promise<void>((resolve) => trap?.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('the probe reports the advertised URL; the guard refuses both and the follow-up probe never dials', async () => {
    const guard = createScopeGuard(await buildTargetSet({ targets: ['127.78.11.0/24'] }));
    for (const [i, advertised] of [TRAP, '10.9.9.9'].entries()) {
      const host = lab.personas[i]?.address ?? '';
      const outcome = await sadpUnicastProbe.run(
        { host },
        probeContext(guard, () => {}, { timeoutMs: 5000, windowMs: 400 }),
      );
      expect(outcome.status).toBe('success');
      const url = `http://${advertised}:20080/`;
      expect(outcome.followUps).toEqual([{ probe: 'http', url }]);
      expect(guard.checkUrl(url).allowed).toBe(false);
      const followed = await httpFollowUpProbe.run(
        { host: advertised, url },
        probeContext(guard, () => {}, { timeoutMs: 5000, windowMs: 400 }),
      );
      expect(followed.status).toBe('out-of-scope');
    }
    expect(trapConnections).toBe(0);
  });

  it('a sweep of the lab reports the follow-up as out-of-scope and never connects to the trap', async () => {
    // Only the persona advertising the 127.78.19.250 trap is swept: the 10.9.9.9 one is checked above
    // without a sweep, so no bug could ever send a packet off this machine.
    const host = lab.personas[0]?.address ?? '';
    const { hosts, outcomes } = await sweepTargets([host], [{ port: 20080, service: 'http' }], {
      signal: AbortSignal.timeout(20_000),
      probeTimeoutMs: 5000,
      hostTimeoutMs: 15_000,
    });
    expect(hosts.map((h) => h.host)).toEqual([host]);
    expect(hosts[0]?.exchanges.some((ex) => ex.protocol === 'sadp')).toBe(true);
    const refused = outcomes.filter((o) => o.probe === 'http-follow-up');
    expect(refused.map((o) => o.status)).toEqual(['out-of-scope']);
    expect(refused[0]?.detail).toContain(TRAP);
    expect(trapConnections).toBe(0);
  });
});
