/**
 * WS-Discovery: the pure parser on every persona's published ProbeMatches shape, hostile input
 * (property-based), and the unicast probe against the loopback lab with each WSD fault.
 * Addresses: 127.78.1.0/24 only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Exchange, encodeResponse } from '../../src/core/exchange.ts';
import type { Observation } from '../../src/core/observation.ts';
import { listPersonas, type Persona, type WsdFault } from '../../src/lab/persona.ts';
import { renderTemplate } from '../../src/lab/template.ts';
import { isField } from '../../src/observations/fields.ts';
import { buildProbe } from '../../src/probes/wsd/message.ts';
import { observeWsd, parseProbeMatches } from '../../src/probes/wsd/parse.ts';
import { wsdUnicastProbe } from '../../src/probes/wsd/probe.ts';
import { faultMatrix } from '../helpers/fault-matrix.ts';
import { anyBytes, expectBoundedObservations, hostileInputs } from '../helpers/hostile-input.ts';
import { type LineupEntry, persona, tokenSoup, useFaultLab } from '../helpers/probe-lab.ts';

const HOST = '127.78.1.10';
const HTTP_PORT = 20080;
const RELATES = 'urn:uuid:0b7e1f4c-3a51-4d2e-9f0e-4a6c2d1b7e55';

const ALL = listPersonas();
const WITH_WSD = ALL.filter((p) => p.services.wsd);

function rendered(p: Persona, host = HOST): string {
  const file = p.services.wsd?.probeMatch;
  if (!file) throw new Error(`${p.id} has no WS-Discovery reply`);
  return renderTemplate(readFileSync(join(p.dir, file), 'utf8'), {
    host,
    httpPort: HTTP_PORT,
    relatesTo: RELATES,
    ...(p.mac ? { mac: p.mac } : {}),
  });
}

function exchangeOf(text: string | Buffer, host = HOST): Exchange {
  return {
    type: 'exchange',
    host,
    port: 3702,
    transport: 'udp',
    protocol: 'wsd',
    probe: 'wsd-unicast',
    ...encodeResponse(typeof text === 'string' ? Buffer.from(text, 'utf8') : text),
  };
}

function values(obs: Observation[], field: string): string[] {
  return obs.filter((o) => o.field === field).map((o) => o.value);
}

const NS =
  'xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
  'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl" ' +
  'xmlns:tds="http://www.onvif.org/ver10/device/wsdl"';

function envelope(body: string, header = `<a:RelatesTo>${RELATES}</a:RelatesTo>`, ns = NS): string {
  return `<?xml version="1.0" encoding="UTF-8"?><s:Envelope ${ns}><s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
}

function match(m: { endpoint: string; types: string; scopes?: string; xaddrs?: string }): string {
  return (
    `<d:ProbeMatch><a:EndpointReference><a:Address>${m.endpoint}</a:Address></a:EndpointReference>` +
    `<d:Types>${m.types}</d:Types><d:Scopes>${m.scopes ?? ''}</d:Scopes><d:XAddrs>${m.xaddrs ?? ''}</d:XAddrs>` +
    '<d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch>'
  );
}

/** What a user must see for each persona, from its persona.yaml provenance. */
const EXPECT: Record<
  string,
  { endpoint: string; onvif: boolean; name?: string; hardware?: string; mac?: string; xaddr: string }
> = {
  'hikvision-ds-2cd2385g1-i-v5-6-2-190701': {
    endpoint: 'urn:uuid:4f0a1c00-6324-11b3-8000-5850ed001001',
    onvif: true,
    name: 'HIKVISION DS-2CD2385G1-I',
    hardware: 'DS-2CD2385G1-I',
    mac: '58:50:ed:00:10:01',
    xaddr: `http://${HOST}:${HTTP_PORT}/onvif/device_service`,
  },
  'hiwatch-ds-i114w-v5-4-81': {
    endpoint: 'urn:uuid:6c32e000-6324-11b3-8000-c056e3003001',
    onvif: true,
    name: 'HIKVISION DS-I114W',
    hardware: 'DS-I114W',
    xaddr: `http://${HOST}:${HTTP_PORT}/onvif/device_service`,
  },
  'luma-lum-500-nvr-8ch-3-1-2-180322': {
    endpoint: 'urn:uuid:5b21d000-3aa0-11b5-8000-2428fd002001',
    onvif: true,
    name: 'LUM-500-NVR-8CH',
    hardware: 'LUM-500-NVR-8CH',
    xaddr: `http://${HOST}:${HTTP_PORT}/onvif/device_service`,
  },
  'dahua-ipc-hdw1025c-2-420-dahua-00-14-r': {
    endpoint: 'uuid:7a6f3fbb-adc5-4097-a57d-fc5a4be03e71',
    onvif: true,
    name: 'Dahua',
    hardware: 'IPC-HDW1025C',
    xaddr: `http://${HOST}:${HTTP_PORT}/onvif/device_service`,
  },
  'amcrest-ip2m-841b-v2-520-ac00-18-r': {
    endpoint: 'uuid:846c11c7-8f92-45ea-b195-716230c69cc7',
    onvif: true,
    name: 'Amcrest',
    hardware: 'IP2M-841B',
    xaddr: `http://${HOST}:${HTTP_PORT}/onvif/device_service`,
  },
  'axis-m2036-le-10-12-114': {
    endpoint: 'urn:uuid:6c61622d-6178-6973-2d6d-323033362d6c',
    onvif: true,
    name: 'AXIS M2036-LE',
    hardware: 'M2036-LE',
    xaddr: `http://${HOST}:${HTTP_PORT}/onvif/device_service`,
  },
  'bosch-flexidome-indoor-5100i-ir-8-71-0066': {
    endpoint: 'urn:uuid:6c61622d-626f-7363-682d-353130306972',
    onvif: true,
    name: 'BOSCH-404754734001050102',
    hardware: 'F000B543',
    xaddr: `http://${HOST}:${HTTP_PORT}/onvif/device_service`,
  },
  'hp-officejet-pro-8610-fdp1cn1502ar': {
    endpoint: 'urn:uuid:6c61622d-6870-2d6f-6a38-363130000001',
    onvif: false,
    xaddr: `http://${HOST}:3911/`,
  },
};

describe('parseProbeMatches / observeWsd on the personas’ published reply shapes', () => {
  it('has an expectation for every persona that answers WS-Discovery', () => {
    expect(WITH_WSD.length).toBeGreaterThanOrEqual(8);
    expect(WITH_WSD.map((p) => p.id).sort()).toEqual(Object.keys(EXPECT).sort());
  });

  for (const p of WITH_WSD) {
    it(`${p.id}: one match, RelatesTo, endpoint, XAddr, scopes decoded`, () => {
      const want = EXPECT[p.id];
      if (!want) throw new Error(`no expectation for ${p.id}`);
      const text = rendered(p);
      const parsed = parseProbeMatches(text);
      if (!parsed.ok) throw new Error(`${p.id}: ${parsed.reason}`);
      expect(parsed.relatesTo).toBe(RELATES);
      expect(parsed.fault).toBeUndefined();
      expect(parsed.matches).toHaveLength(1);
      const [m] = parsed.matches;
      expect(m?.endpoint).toBe(want.endpoint);
      expect(m?.xaddrs).toEqual([want.xaddr]);
      expect(m?.onvif).toBe(want.onvif);

      const obs = observeWsd(exchangeOf(text));
      for (const o of obs) {
        expect(isField(o.field), o.field).toBe(true);
        expect(o.host).toBe(HOST);
      }
      expect(values(obs, 'wsd.endpoint')).toEqual([want.endpoint]);
      expect(values(obs, 'wsd.xaddr')).toEqual([want.xaddr]);
      expect(values(obs, 'wsd.scope.name')).toEqual(want.name ? [want.name] : []);
      expect(values(obs, 'wsd.scope.hardware')).toEqual(want.hardware ? [want.hardware] : []);
      expect(values(obs, 'mac.address')).toEqual(want.mac ? [want.mac] : []);
      // Nothing percent-encoded survives in a decoded scope value.
      for (const o of obs.filter((x) => x.field.startsWith('wsd.scope.'))) expect(o.value).not.toMatch(/%20/);
    });
  }

  it('Hikvision (wsadis: prefixes, urn:uuid MessageID): name scope decoded, MAC scope → mac.address', () => {
    const obs = observeWsd(exchangeOf(rendered(persona('hikvision-ds-2cd2385g1'))));
    expect(values(obs, 'wsd.scope.name')).toEqual(['HIKVISION DS-2CD2385G1-I']);
    expect(values(obs, 'wsd.scope.mac')).toEqual(['58:50:ed:00:10:01']);
    expect(values(obs, 'mac.address')).toEqual(['58:50:ed:00:10:01']);
    expect(values(obs, 'wsd.scope.location')).toEqual(['city/hangzhou']);
    expect(values(obs, 'wsd.scope.profile').sort()).toEqual(['G', 'Streaming', 'T']);
    expect(values(obs, 'wsd.types')).toEqual(['dn:NetworkVideoTransmitter tds:Device']);
  });

  it('Dahua (standalone="yes" ?> prolog, one line): parsed, unique_identifier kept as another scope', () => {
    const text = rendered(persona('dahua-ipc-hdw1025c'));
    expect(text.startsWith('<?xml version="1.0" encoding="utf-8" standalone="yes" ?>')).toBe(true);
    const obs = observeWsd(exchangeOf(text));
    expect(values(obs, 'wsd.scope.location')).toEqual(['country/china']);
    expect(values(obs, 'wsd.scope.type')).toEqual(['Network_Video_Transmitter']);
    expect(values(obs, 'wsd.scope.other')).toEqual(['onvif://www.onvif.org/extension/unique_identifier']);
  });

  it('Axis (scopes over several lines, empty location/): no empty observation', () => {
    const obs = observeWsd(exchangeOf(rendered(persona('axis-m2036'))));
    expect(values(obs, 'wsd.scope.profile').sort()).toEqual(['G', 'M', 'Streaming', 'T']);
    expect(values(obs, 'wsd.scope.location')).toEqual([]);
    expect(obs.every((o) => o.value.length > 0)).toBe(true);
  });

  it('HP printer (wprt:PrintDeviceType, no ONVIF types): onvif false, types kept', () => {
    const parsed = parseProbeMatches(rendered(persona('hp-officejet')));
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.matches[0]?.onvif).toBe(false);
    expect(parsed.matches[0]?.types).toContain('wprt:PrintDeviceType');
  });

  it('a DPWS wsdp:Device is not ONVIF even when the envelope also declares ONVIF namespaces', () => {
    // QNames resolve by their declared namespace (PROTOCOLS.md §1.3), not by local name.
    const text = envelope(
      `<d:ProbeMatches>${match({
        endpoint: 'urn:uuid:1',
        types: 'wsdp:Device wprt:PrintDeviceType',
        xaddrs: 'http://127.78.1.10:3911/',
      })}</d:ProbeMatches>`,
      `<a:RelatesTo>${RELATES}</a:RelatesTo>`,
      `${NS} xmlns:wsdp="http://schemas.xmlsoap.org/ws/2006/02/devprof" xmlns:wprt="http://schemas.microsoft.com/windows/2006/08/wdp/print"`,
    );
    const parsed = parseProbeMatches(text);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.matches[0]?.onvif).toBe(false);
  });

  it('an ONVIF type under an unusual prefix (tdn:, declared on Types) is ONVIF', () => {
    const text = envelope(
      '<d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:2</a:Address></a:EndpointReference>' +
        '<d:Types xmlns:tdn="http://www.onvif.org/ver10/network/wsdl">tdn:NetworkVideoTransmitter</d:Types>' +
        '<d:XAddrs>http://127.78.1.10/onvif/device_service</d:XAddrs></d:ProbeMatch></d:ProbeMatches>',
      `<a:RelatesTo>${RELATES}</a:RelatesTo>`,
      'xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"',
    );
    const parsed = parseProbeMatches(text);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.matches[0]?.onvif).toBe(true);
  });

  it('an undeclared prefix counts as ONVIF only when the reply declares an ONVIF namespace', () => {
    const body = `<d:ProbeMatches>${match({ endpoint: 'urn:uuid:5', types: 'ns:NetworkVideoTransmitter' })}</d:ProbeMatches>`;
    const sloppy = parseProbeMatches(envelope(body));
    expect(sloppy.ok && sloppy.matches[0]?.onvif).toBe(true);
    const noOnvif = parseProbeMatches(
      envelope(
        body,
        `<a:RelatesTo>${RELATES}</a:RelatesTo>`,
        'xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"',
      ),
    );
    expect(noOnvif.ok && noOnvif.matches[0]?.onvif).toBe(false);
  });

  it('a SOAP Fault reply (TP-Link style ter:InvalidArgVal, ONVIF MatchingRuleNotSupported) is a fault, not a crash', () => {
    const fault = (sub: string) =>
      envelope(
        `<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>${sub}</s:Value></s:Subcode></s:Code>` +
          '<s:Reason><s:Text xml:lang="en">nope</s:Text></s:Reason></s:Fault>',
      );
    for (const sub of ['ter:InvalidArgVal', 'd:MatchingRuleNotSupported']) {
      const parsed = parseProbeMatches(fault(sub));
      expect(parsed).toEqual({ ok: true, relatesTo: RELATES, fault: sub, matches: [] });
      expect(observeWsd(exchangeOf(fault(sub)))).toEqual([]);
    }
    // A fault with only a Code value still reads as a fault.
    const bare = parseProbeMatches(
      envelope('<s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code></s:Fault>'),
    );
    expect(bare.ok && bare.fault).toBe('s:Receiver');
  });

  it('RelatesTo is extracted whatever the addressing prefix, and absent when the header has none', () => {
    const id = buildProbe('nvt').messageId;
    for (const prefix of ['a', 'wsa', 'wsadis', 'SOAP-ENV']) {
      const text = envelope(
        `<d:ProbeMatches>${match({ endpoint: 'urn:uuid:3', types: 'dn:NetworkVideoTransmitter' })}</d:ProbeMatches>`,
        `<${prefix}:RelatesTo xmlns:${prefix}="http://schemas.xmlsoap.org/ws/2004/08/addressing">${id}</${prefix}:RelatesTo>`,
      );
      const parsed = parseProbeMatches(text);
      expect(parsed.ok && parsed.relatesTo).toBe(id);
      expect(parsed.ok && parsed.matches.length).toBe(1);
    }
    const none = parseProbeMatches(
      envelope(
        `<d:ProbeMatches>${match({ endpoint: 'urn:uuid:3', types: 'dn:Device' })}</d:ProbeMatches>`,
        '',
      ),
    );
    expect(none.ok && none.matches.length).toBe(1);
    expect(none.ok && none.relatesTo).toBeUndefined();
  });

  it('returns every ProbeMatch of one envelope (an NVR answering for its cameras)', () => {
    const body = `<d:ProbeMatches>${[1, 2, 3]
      .map((i) =>
        match({
          endpoint: `urn:uuid:0000000${i}`,
          types: 'dn:NetworkVideoTransmitter tds:Device',
          scopes: `onvif://www.onvif.org/name/CAM%20${i} onvif://www.onvif.org/hardware/HW-${i}`,
          xaddrs: `http://127.78.1.${20 + i}/onvif/device_service`,
        }),
      )
      .join('')}</d:ProbeMatches>`;
    const text = envelope(body);
    const parsed = parseProbeMatches(text);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.matches.map((m) => m.endpoint)).toEqual([
      'urn:uuid:00000001',
      'urn:uuid:00000002',
      'urn:uuid:00000003',
    ]);
    expect(parsed.matches.every((m) => m.onvif)).toBe(true);
    const obs = observeWsd(exchangeOf(text));
    expect(values(obs, 'wsd.scope.name')).toEqual(['CAM 1', 'CAM 2', 'CAM 3']);
    expect(values(obs, 'wsd.xaddr')).toEqual([
      'http://127.78.1.21/onvif/device_service',
      'http://127.78.1.22/onvif/device_service',
      'http://127.78.1.23/onvif/device_service',
    ]);
  });

  it('caps a flood of matches at 64 and scopes at 64 per match', () => {
    const scopes = Array.from({ length: 200 }, (_, i) => `onvif://www.onvif.org/name/n${i}`).join(' ');
    const body = `<d:ProbeMatches>${Array.from({ length: 500 }, (_, i) =>
      match({
        endpoint: `urn:uuid:${i}`,
        types: 'dn:NetworkVideoTransmitter',
        scopes: i === 0 ? scopes : '',
      }),
    ).join('')}</d:ProbeMatches>`;
    const parsed = parseProbeMatches(envelope(body));
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.matches).toHaveLength(64);
    expect(parsed.matches[0]?.scopes).toHaveLength(64);
  });

  it('refuses an entity bomb without expanding it (10^10 "lol"s if it did)', () => {
    const ents = ['<!ENTITY a0 "lol">'];
    for (let i = 1; i <= 10; i++) ents.push(`<!ENTITY a${i} "${`&a${i - 1};`.repeat(10)}">`);
    const text = `<?xml version="1.0"?><!DOCTYPE s [${ents.join('')}]>${envelope(
      `<d:ProbeMatches>${match({ endpoint: 'urn:uuid:4', types: 'dn:NetworkVideoTransmitter', scopes: '&a10;' })}</d:ProbeMatches>`,
    ).replace(/<\?xml[^>]*>/, '')}`;
    const parsed = parseProbeMatches(text);
    expect(parsed.ok).toBe(false);
    expect(observeWsd(exchangeOf(text))).toEqual([]);
  });

  it('refuses 100,000 nested elements without a stack overflow', () => {
    const text = `<a>${'<b>'.repeat(100_000)}${'</b>'.repeat(100_000)}</a>`;
    expect(() => parseProbeMatches(text)).not.toThrow();
    expect(parseProbeMatches(text).ok).toBe(false);
    const inEnvelope = envelope(`${'<x>'.repeat(100_000)}${'</x>'.repeat(100_000)}`);
    expect(parseProbeMatches(inEnvelope).ok).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: hostile input never throws, and whatever comes out is bounded and registered.

const XMLISH_TOKENS = [
  '<',
  '>',
  '</',
  '/>',
  '"',
  "'",
  '=',
  ' ',
  '\n',
  '<?xml version="1.0" encoding="UTF-8"?>',
  `<s:Envelope ${NS}>`,
  '</s:Envelope>',
  '<Envelope>',
  '</Envelope>',
  '<s:Header>',
  '</s:Header>',
  '<s:Body>',
  '</s:Body>',
  '<a:RelatesTo>',
  '</a:RelatesTo>',
  '<d:ProbeMatches>',
  '</d:ProbeMatches>',
  '<d:ProbeMatch>',
  '</d:ProbeMatch>',
  '<d:Types>',
  '</d:Types>',
  'dn:NetworkVideoTransmitter',
  'tds:Device',
  '<d:Scopes>',
  '</d:Scopes>',
  'onvif://www.onvif.org/name/%E0%A4%A',
  'onvif://www.onvif.org/MAC/aa:bb:cc:dd:ee:ff',
  'onvif://www.onvif.org/hardware/',
  '<d:XAddrs>',
  '</d:XAddrs>',
  'http://127.78.1.99/onvif/device_service',
  '<a:EndpointReference><a:Address>',
  '</a:Address></a:EndpointReference>',
  '<![CDATA[',
  ']]>',
  '<!--',
  '-->',
  '&amp;',
  '&#x0;',
  '&#1114112;',
  '&lol;',
  '<!DOCTYPE x [',
  '<!ENTITY lol "lollollol">',
  ']>',
  '<s:Fault><s:Code><s:Value>',
  '</s:Value></s:Code></s:Fault>',
  '<__proto__>',
  '</__proto__>',
  '<constructor>',
  '<toString>',
  '<hasOwnProperty>x</hasOwnProperty>',
  '#text',
  '@_attr="1"',
  '\u0000',
  '\uFFFD',
  '\uD800',
];

const xmlish = tokenSoup(XMLISH_TOKENS, { stringLength: 12, parts: 80 });

/** Long whitespace-free runs, so per-value caps are actually reached. */
const longToken = fc.string({
  unit: fc.constantFrom('a', 'Z', '%', '2', '0', '-', ':', '/'),
  maxLength: 900,
});

const generatedEnvelope = fc
  .array(
    fc.record({
      endpoint: longToken,
      types: fc.constantFrom('dn:NetworkVideoTransmitter', 'tds:Device', 'wsdp:Device', '', 'x:y z'),
      scopes: fc.array(
        fc.oneof(
          longToken,
          longToken.map((t) => `onvif://www.onvif.org/name/${t}`),
        ),
        {
          maxLength: 80,
        },
      ),
      xaddrs: fc.array(longToken, { maxLength: 12 }),
    }),
    { maxLength: 90 },
  )
  .map((ms) =>
    envelope(
      `<d:ProbeMatches>${ms
        .map((m) => match({ ...m, scopes: m.scopes.join(' '), xaddrs: m.xaddrs.join(' ') }))
        .join('')}</d:ProbeMatches>`,
    ),
  );

function checkBounded(text: string): void {
  const parsed = parseProbeMatches(text);
  if (parsed.ok) {
    expect(parsed.matches.length).toBeLessThanOrEqual(64);
    if (parsed.relatesTo !== undefined) expect(typeof parsed.relatesTo).toBe('string');
    for (const m of parsed.matches) {
      expect(m.endpoint.length).toBeLessThanOrEqual(512);
      expect(m.types.length).toBeLessThanOrEqual(512);
      expect(m.scopes.length).toBeLessThanOrEqual(64);
      expect(m.xaddrs.length).toBeLessThanOrEqual(64);
      for (const v of [...m.scopes, ...m.xaddrs]) expect(v.length).toBeLessThanOrEqual(512);
      expect(typeof m.onvif).toBe('boolean');
    }
  } else {
    expect(typeof parsed.reason).toBe('string');
  }
  const obs = observeWsd(exchangeOf(text, '127.78.1.99'));
  for (const o of obs) expect(typeof o.value).toBe('string');
  expectBoundedObservations(obs, { length: 512, host: '127.78.1.99' });
}

describe('parseProbeMatches / observeWsd on hostile input (property)', () => {
  hostileInputs(checkBounded, [
    { name: 'never throws on arbitrary strings', input: fc.string({ maxLength: 2000 }), runs: 300 },
    { name: 'never throws on XML-ish fragments', input: xmlish, runs: 500 },
    { name: 'bounds well-formed replies with too many, too long values', input: generatedEnvelope, runs: 40 },
  ]);

  it('never throws on arbitrary bytes decoded as a device would send them', () => {
    fc.assert(
      fc.property(anyBytes(2000), (bytes) => {
        for (const o of observeWsd(exchangeOf(bytes))) expect(isField(o.field)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The unicast probe against the loopback lab.

const BASE = '127.78.1.10';
const WRONG_SOURCE = '127.78.1.200';
const EMPTY = '127.78.1.60';

describe('wsdUnicastProbe against the loopback lab', () => {
  const LINEUP: LineupEntry<WsdFault>[] = [
    { key: 'hikvision', persona: 'hikvision-ds-2cd2385g1' },
    { key: 'printer', persona: 'hp-officejet' },
    { key: 'duplicate', persona: 'dahua-ipc-hdw1025c', fault: 'duplicate' },
    { key: 'entity-bomb', persona: 'hikvision-ds-2cd2385g1', fault: 'entity-bomb' },
    { key: 'deep-nesting', persona: 'axis-m2036', fault: 'deep-nesting' },
    { key: 'garbage', persona: 'bosch-flexidome', fault: 'garbage' },
    { key: 'wrong-source', persona: 'amcrest-ip2m', fault: 'wrong-source' },
  ];
  const lab = useFaultLab({
    base: BASE,
    protocol: 'wsd',
    scope: ['127.78.1.0/24'],
    wrongSource: WRONG_SOURCE,
    lineup: LINEUP,
  });
  const { at } = lab;
  const probe = lab.runner(wsdUnicastProbe, { observe: observeWsd, timeoutMs: 8000, windowMs: 400 });

  it('finds the Hikvision persona: success, the reply recorded, a follow-up to its XAddr', async () => {
    const { outcome, exchanges, observations } = await probe('hikvision');
    expect(outcome.status).toBe('success');
    expect(outcome.followUps).toEqual([
      { probe: 'onvif', url: `http://${at.hikvision}:20080/onvif/device_service` },
    ]);
    expect(exchanges.length).toBeGreaterThanOrEqual(1);
    for (const ex of exchanges) {
      expect(ex).toMatchObject({ host: at.hikvision, port: 3702, transport: 'udp', protocol: 'wsd' });
      // The recorded request is the Probe whose MessageID the reply names.
      const parsed = parseProbeMatches(ex.response);
      expect(parsed.ok && parsed.relatesTo && ex.request?.includes(parsed.relatesTo)).toBe(true);
    }
    expect(values(observations, 'wsd.scope.name')).toContain('HIKVISION DS-2CD2385G1-I');
    expect(values(observations, 'mac.address')).toContain('58:50:ed:00:10:01');
  });

  it('a printer answering WS-Discovery: success, but its XAddr is not followed as ONVIF', async () => {
    const { outcome, exchanges } = await probe('printer');
    expect(outcome.status).toBe('success');
    expect(exchanges.length).toBeGreaterThanOrEqual(1);
    expect(outcome.followUps ?? []).toEqual([]);
  });

  it('duplicate replies: success, no crash, every recorded copy says the same', async () => {
    const { outcome, exchanges, observations } = await probe('duplicate');
    expect(outcome.status).toBe('success');
    expect(exchanges.length).toBeGreaterThanOrEqual(1);
    expect(new Set(values(observations, 'wsd.endpoint'))).toEqual(
      new Set(['uuid:7a6f3fbb-adc5-4097-a57d-fc5a4be03e71']),
    );
    expect(outcome.followUps).toEqual([
      { probe: 'onvif', url: `http://${at.duplicate}:20080/onvif/device_service` },
    ]);
  });

  it('entity bomb: the reply is noticed, never expanded', async () => {
    const before = process.memoryUsage().heapUsed;
    const { outcome, exchanges, observations } = await probe('entity-bomb');
    // Something answered, so "nobody there" would be wrong; success is allowed only unexpanded.
    expect(outcome.status).not.toBe('no-response');
    if (outcome.status === 'success') expect(exchanges.length).toBeGreaterThan(0);
    for (const o of observations) expect(o.value).not.toMatch(/lollol/);
    for (const ex of exchanges) expect(ex.response.length).toBeLessThan(65_536);
    // Expanded, the bomb is 5^9 × "lol" ≈ 5.9 MB of text per copy.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(256 * 1024 * 1024);
  });

  faultMatrix(probe, [
    {
      // The reply arrived and was refused: not success, and not "nobody there".
      name: 'deep nesting: ends with a status from the closed set, no stack overflow',
      keys: 'deep-nesting',
      status: { not: ['success', 'no-response'] },
      observations: 0,
    },
    {
      name: 'garbage: answered with something that is not WS-Discovery',
      keys: 'garbage',
      status: ['protocol-error', 'protocol-mismatch'],
      noFollowUps: true,
      check: ({ exchanges }) => expect(exchanges.every((ex) => observeWsd(ex).length === 0)).toBe(true),
    },
    {
      name: 'a reply from another 127 address is dropped: no-response',
      keys: 'wrong-source',
      status: 'no-response',
      exchanges: 0,
    },
    {
      name: 'a host with no responder: no-response',
      keys: EMPTY,
      status: 'no-response',
      exchanges: 0,
      noFollowUps: true,
    },
  ]);
});
