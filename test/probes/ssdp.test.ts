/**
 * SSDP / UPnP: the pure parsers on real published Axis answers and descriptions, hostile input
 * (property-based), the unicast M-SEARCH and the description follow-up against the loopback lab
 * with each fault, and a hostile LOCATION outside the targets that is never fetched.
 * Addresses: 127.78.31.0/24 (lab) and 127.78.39.250 (a counting server outside the targets).
 */
import { createServer, type Server } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Exchange, encodeResponse } from '../../src/core/exchange.ts';
import type { Observation } from '../../src/core/observation.ts';
import { searchTarget } from '../../src/lab/responders/ssdp.ts';
import { isField } from '../../src/observations/fields.ts';
import { ssdpDiscovery } from '../../src/probes/ssdp/discovery.ts';
import { buildMSearch } from '../../src/probes/ssdp/message.ts';
import { isSearchResponse, observeSsdp, parseSsdp } from '../../src/probes/ssdp/parse.ts';
import { ssdpUnicastProbe } from '../../src/probes/ssdp/probe.ts';
import { observeUpnp, parseDescription } from '../../src/probes/upnp/parse.ts';
import { upnpProbe } from '../../src/probes/upnp/probe.ts';
import { faultLineup, faultMatrix } from '../helpers/fault-matrix.ts';
import { type ProbeRun, probeContext, tokenSoup, useFaultLab } from '../helpers/probe-lab.ts';

const HOST = '127.78.31.99';
function values(obs: Observation[], field: string): string[] {
  return obs.filter((o) => o.field === field).map((o) => o.value);
}

function ex(protocol: 'ssdp' | 'upnp', bytes: Buffer | string, host = HOST): Exchange {
  return {
    type: 'exchange',
    host,
    port: protocol === 'ssdp' ? 1900 : 49152,
    transport: protocol === 'ssdp' ? 'udp' : 'tcp',
    protocol,
    ...encodeResponse(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'latin1')),
  };
}

/** The M-SEARCH answer of an AXIS M1031-W (abused $test_xml, 2015-03-20), headers in captured order. */
const AXIS_M1031W =
  'HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nDATE: Fri, 20 Mar 2015 10:45:45 GMT\r\n' +
  'LOCATION: http://192.168.0.35:49152/rootdesc1.xml\r\n' +
  'SERVER: Linux/2.6.31, UPnP/1.0, Portable SDK for UPnP devices/1.4.1\r\nX-User-Agent: redsonic\r\n' +
  'ST: urn:axis-com:service:BasicService:1\r\n' +
  'USN: uuid:Upnp-BasicDevice-1_0-00408C1839FB::urn:axis-com:service:BasicService:1\r\n\r\n';

/** The description fields of an AXIS M1065-LW (home-assistant/core axis tests) in the UDA template. */
function axisDescription(inner = ''): string {
  return (
    '<?xml version="1.0"?>\n<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>' +
    '<device><deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType>' +
    `<friendlyName>AXIS M1065-LW - ACCC8E012345</friendlyName><manufacturer>AXIS${inner}</manufacturer>` +
    '<manufacturerURL>http://www.axis.com/</manufacturerURL><modelDescription>AXIS M1065-LW Network Camera</modelDescription>' +
    '<modelName>AXIS M1065-LW</modelName><modelNumber>M1065-LW</modelNumber><modelURL>http://www.axis.com/</modelURL>' +
    '<serialNumber>ACCC8E012345</serialNumber><UDN>uuid:Upnp-BasicDevice-1_0-ACCC8E012345</UDN>' +
    '<presentationURL>http://1.2.3.4:80/</presentationURL></device></root>'
  );
}

function http(body: string | Buffer): Buffer {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  return Buffer.concat([
    Buffer.from(`HTTP/1.1 200 OK\r\nCONTENT-LENGTH: ${b.length}\r\nCONTENT-TYPE: text/xml\r\n\r\n`),
    b,
  ]);
}

describe('parseSsdp / observeSsdp on real Axis answers', () => {
  it('reads SERVER, ST, USN and LOCATION from an AXIS M1031-W search answer', () => {
    const parsed = parseSsdp(Buffer.from(AXIS_M1031W, 'latin1'));
    expect(isSearchResponse(parsed)).toBe(true);
    const obs = observeSsdp(ex('ssdp', AXIS_M1031W));
    expect(values(obs, 'ssdp.header.server')).toEqual([
      'Linux/2.6.31, UPnP/1.0, Portable SDK for UPnP devices/1.4.1',
    ]);
    expect(values(obs, 'ssdp.st')).toEqual(['urn:axis-com:service:BasicService:1']);
    expect(values(obs, 'ssdp.usn')).toEqual([
      'uuid:Upnp-BasicDevice-1_0-00408C1839FB::urn:axis-com:service:BasicService:1',
    ]);
    expect(values(obs, 'ssdp.location')).toEqual(['http://192.168.0.35:49152/rootdesc1.xml']);
    for (const o of obs) expect(isField(o.field)).toBe(true);
  });

  it('a NOTIFY is parsed (NT as ST) but is not a search answer; another host’s M-SEARCH is not SSDP output', () => {
    const notify = AXIS_M1031W.replace('HTTP/1.1 200 OK', 'NOTIFY * HTTP/1.1').replace('ST:', 'NT:');
    const parsed = parseSsdp(Buffer.from(notify));
    expect(parsed.ok && parsed.message.st).toBe('urn:axis-com:service:BasicService:1');
    expect(isSearchResponse(parsed)).toBe(false);
    expect(parseSsdp(Buffer.from(buildMSearch('ssdp:all'))).ok).toBe(false);
  });

  it('header names are case-insensitive, the first of duplicates wins, bare LF is accepted', () => {
    const text =
      'HTTP/1.1 200 OK\nserver: A\nSERVER: B\nst: upnp:rootdevice\nUsn: uuid:x::upnp:rootdevice\n\n';
    const obs = observeSsdp(ex('ssdp', text));
    expect(values(obs, 'ssdp.header.server')).toEqual(['A']);
    expect(values(obs, 'ssdp.usn')).toEqual(['uuid:x::upnp:rootdevice']);
  });

  it('the multicast run sends ST ssdp:all and upnp:rootdevice and follows LOCATION (http only)', () => {
    const run = ssdpDiscovery.prepare();
    expect(run.payloads.map((p) => searchTarget(String(p)))).toEqual(['ssdp:all', 'upnp:rootdevice']);
    for (const p of run.payloads) {
      expect(String(p)).toMatch(
        /^M-SEARCH \* HTTP\/1\.1\r\nHOST: 239\.255\.255\.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 2\r\n/,
      );
      expect(String(p).endsWith('\r\n\r\n')).toBe(true);
    }
    // Over IPv6 the same searches go to [ff02::c]:1900 and say so in HOST (UDA 1.1 §1.3.2).
    expect(ssdpDiscovery.groupV6).toBe('ff02::c');
    expect(run.payloadsV6?.map((p) => String(p).split('\r\n')[1])).toEqual([
      'HOST: [FF02::C]:1900',
      'HOST: [FF02::C]:1900',
    ]);
    expect(run.payloadsV6?.map((p) => searchTarget(String(p)))).toEqual(['ssdp:all', 'upnp:rootdevice']);
    expect(ssdpDiscovery.advertises?.(Buffer.from(AXIS_M1031W))).toEqual([
      'http://192.168.0.35:49152/rootdesc1.xml',
    ]);
    expect(run.accepts(Buffer.from(AXIS_M1031W))).toBe(true);
    expect(run.accepts(Buffer.from(buildMSearch('ssdp:all')))).toBe(false);
    expect(ssdpDiscovery.followUps?.(ex('ssdp', AXIS_M1031W))).toEqual([
      { probe: 'upnp', url: 'http://192.168.0.35:49152/rootdesc1.xml' },
    ]);
    const fileLocation = AXIS_M1031W.replace('http://192.168.0.35:49152/rootdesc1.xml', 'file:///etc/passwd');
    expect(ssdpDiscovery.followUps?.(ex('ssdp', fileLocation))).toEqual([]);
  });
});

describe('parseDescription / observeUpnp', () => {
  it('reads an Axis description: manufacturer, model name/number, serial, friendly name, UDN', () => {
    const obs = observeUpnp(ex('upnp', http(axisDescription())));
    expect(values(obs, 'upnp.manufacturer')).toEqual(['AXIS']);
    expect(values(obs, 'upnp.model_name')).toEqual(['AXIS M1065-LW']);
    expect(values(obs, 'upnp.model_number')).toEqual(['M1065-LW']);
    expect(values(obs, 'upnp.serial')).toEqual(['ACCC8E012345']);
    expect(values(obs, 'upnp.friendly_name')).toEqual(['AXIS M1065-LW - ACCC8E012345']);
    expect(values(obs, 'upnp.udn')).toEqual(['uuid:Upnp-BasicDevice-1_0-ACCC8E012345']);
    expect(values(obs, 'upnp.presentation_url')).toEqual(['http://1.2.3.4:80/']);
  });

  it('refuses entity declarations without expanding them', () => {
    const ents = ['<!ENTITY a0 "lol">'];
    for (let i = 1; i <= 10; i++) ents.push(`<!ENTITY a${i} "${`&a${i - 1};`.repeat(10)}">`);
    const bomb = `<?xml version="1.0"?><!DOCTYPE root [${ents.join('')}]>${axisDescription('&a10;').replace(/<\?xml[^>]*>/, '')}`;
    expect(parseDescription(bomb).ok).toBe(false);
    expect(observeUpnp(ex('upnp', http(bomb)))).toEqual([]);
  });

  it('refuses 100,000 nested elements without a stack overflow', () => {
    const deep = `<root>${'<d>'.repeat(100_000)}${'</d>'.repeat(100_000)}</root>`;
    expect(() => parseDescription(deep)).not.toThrow();
    expect(parseDescription(deep).ok).toBe(false);
  });

  it('survives invalid UTF-8 and a non-200 answer', () => {
    const bad = Buffer.concat([Buffer.from(axisDescription()), Buffer.from([0xc3, 0x28, 0xff])]);
    expect(values(observeUpnp(ex('upnp', http(bad))), 'upnp.manufacturer')).toEqual(['AXIS']);
    const notFound = Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    expect(observeUpnp(ex('upnp', notFound))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: hostile input never throws; output is bounded and registered.

const SSDP_TOKENS = [
  'HTTP/1.1 200 OK\r\n',
  'NOTIFY * HTTP/1.1\r\n',
  'SERVER: ',
  'ST: ',
  'USN: ',
  'LOCATION: ',
  ':',
  '\r\n',
  '\n',
  '\u0000',
  '\u00ff',
];
const ssdpish = tokenSoup(SSDP_TOKENS, { stringLength: 600, parts: 120 });
const XML_TOKENS = [
  '<root>',
  '</root>',
  '<device>',
  '</device>',
  '<manufacturer>',
  '</manufacturer>',
  '<modelName>',
  '<!DOCTYPE x [',
  '<!ENTITY a "b">',
  ']>',
  '&a;',
  '<![CDATA[',
  ']]>',
  '<__proto__>',
  '</__proto__>',
];
const xmlish = tokenSoup(XML_TOKENS, { stringLength: 700, parts: 80 });

describe('SSDP and UPnP parsers on hostile input (property)', () => {
  it('parseSsdp / observeSsdp never throw; headers and values are bounded', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          ssdpish,
          fc.uint8Array({ maxLength: 3000 }).map((u) => Buffer.from(u).toString('latin1')),
        ),
        (s) => {
          const parsed = parseSsdp(Buffer.from(s, 'latin1'));
          if (parsed.ok) {
            expect(Object.keys(parsed.message.headers).length).toBeLessThanOrEqual(64);
            for (const v of Object.values(parsed.message.headers)) expect(v.length).toBeLessThanOrEqual(512);
          }
          for (const o of observeSsdp(ex('ssdp', s, '127.78.31.98'))) {
            expect(isField(o.field)).toBe(true);
            expect(o.value.length).toBeLessThanOrEqual(512);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('parseDescription / observeUpnp never throw; values are bounded', () => {
    fc.assert(
      fc.property(xmlish, (s) => {
        const parsed = parseDescription(s);
        if (parsed.ok)
          for (const v of Object.values(parsed.device)) expect(String(v).length).toBeLessThanOrEqual(512);
        for (const o of observeUpnp(ex('upnp', http(s)))) {
          expect(isField(o.field)).toBe(true);
          expect(o.value.length).toBeLessThanOrEqual(512);
        }
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The unicast M-SEARCH and the description follow-up against the loopback lab.

const OUTSIDE = '127.78.39.250';

describe('ssdpUnicastProbe and upnpProbe against the loopback lab', () => {
  let counting: Server;
  let countingPort = 0;
  let fetchedOutside = 0;
  // Registered before the lab's own hooks: the hostile persona's LOCATION needs this port.
  beforeAll(async () => {
    counting = createServer((s) => {
      fetchedOutside += 1;
      s.destroy();
    });
    await new Promise<void>((resolve) => counting.listen(0, OUTSIDE, resolve));
    const addr = counting.address();
    countingPort = typeof addr === 'object' && addr ? addr.port : 0;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (counting ? counting.close(() => resolve()) : resolve()));
  });

  const FAULTS = [
    'hang',
    'garbage',
    'duplicate',
    'flood',
    'wrong-source',
    'oversize',
    'desc-hang',
    'desc-reset',
    'desc-split',
    'desc-garbage',
    'desc-oversize',
    'desc-entity-bomb',
    'desc-deep-nesting',
    'desc-invalid-utf8',
  ];
  const lab = useFaultLab({
    base: '127.78.31.10',
    protocol: 'ssdp',
    scope: ['127.78.31.0/24'],
    lineup: () => [
      { key: 'axis', persona: 'axis-m2036' },
      ...faultLineup('axis-m2036', FAULTS),
      {
        key: 'hostile',
        persona: 'axis-m2036',
        fault: `hostile-location=http://${OUTSIDE}:${countingPort}/rootdesc1.xml`,
      },
    ],
  });
  const { at } = lab;
  const search = lab.runner(ssdpUnicastProbe, { observe: observeSsdp, timeoutMs: 4000, windowMs: 400 });
  const describeAt = lab.runner(upnpProbe, {
    observe: observeUpnp,
    timeoutMs: 4000,
    windowMs: 400,
    url: (host) => `http://${host}:49152/rootdesc1.xml`,
  });

  it('Axis persona: both search answers recorded, its LOCATION a follow-up, the description identifies it', async () => {
    const { outcome, exchanges, observations } = await search('axis');
    expect(outcome.status).toBe('success');
    expect(exchanges.length).toBe(2);
    expect(values(observations, 'ssdp.st').sort()).toEqual([
      'upnp:rootdevice',
      'urn:axis-com:service:BasicService:1',
    ]);
    expect(values(observations, 'ssdp.header.server')[0]).toBe(
      'Linux/4.14.173-axis8, UPnP/1.0, Portable SDK for UPnP devices/1.8.7',
    );
    expect(outcome.followUps).toEqual([{ probe: 'upnp', url: `http://${at.axis}:49152/rootdesc1.xml` }]);
    const d = await describeAt('axis');
    expect(d.outcome.status).toBe('success');
    expect(d.exchanges[0]).toMatchObject({ protocol: 'upnp', host: at.axis, port: 49152 });
    expect(values(d.observations, 'upnp.manufacturer')).toEqual(['AXIS']);
    expect(values(d.observations, 'upnp.model_name')).toEqual(['AXIS M2036-LE']);
    expect(values(d.observations, 'upnp.serial')).toEqual(['B8A44F002036']);
  });

  const boundedValues = ({ observations }: ProbeRun) => {
    for (const o of observations) expect(o.value.length).toBeLessThanOrEqual(512);
  };
  const readsAxis = ({ observations }: ProbeRun) =>
    expect(values(observations, 'upnp.manufacturer')).toEqual(['AXIS']);

  faultMatrix(search, [
    { name: 'search hang: silence is no-response', keys: 'hang', status: 'no-response' },
    {
      name: 'search garbage: a protocol error, nothing recorded',
      keys: 'garbage',
      status: 'protocol-error',
      exchanges: 0,
    },
    { name: 'duplicate datagrams are recorded once', keys: 'duplicate', status: 'success', exchanges: 2 },
    {
      name: 'a flood of 10,000 is capped and the probe ends',
      keys: 'flood',
      status: 'success',
      exchanges: { atMost: 2 },
    },
    {
      name: 'answers from an unexpected source address are ignored',
      keys: 'wrong-source',
      status: 'no-response',
      exchanges: 0,
    },
    {
      name: 'an oversize answer keeps its headers bounded',
      keys: 'oversize',
      status: 'success',
      check: boundedValues,
    },
  ]);

  faultMatrix(describeAt, [
    {
      name: 'description hang: times out',
      keys: 'desc-hang',
      overrides: { timeoutMs: 1500 },
      status: 'connection-timeout',
    },
    {
      // 20 bytes of the head, then a reset: whatever the timing, no claim and no crash.
      name: 'description reset: reported, no claim',
      keys: 'desc-reset',
      status: ['connection-reset', 'protocol-mismatch', 'protocol-error'],
      observations: 0,
    },
    { name: 'description garbage: reported', keys: 'desc-garbage', status: 'protocol-mismatch' },
    {
      name: 'description split writes still parse',
      keys: 'desc-split',
      status: 'success',
      check: readsAxis,
    },
    {
      // 10 MB of one never-closed value: 64 KB are read, the value is cut to 512 characters.
      name: 'description oversize is capped',
      keys: 'desc-oversize',
      status: ['success', 'protocol-error'],
      check: (big) => {
        expect(Buffer.from(big.exchanges[0]?.response ?? '', 'utf8').length).toBeLessThan(200 * 1024);
        boundedValues(big);
      },
    },
    {
      name: 'description entity bomb and deep nesting refused',
      keys: ['desc-entity-bomb', 'desc-deep-nesting'],
      status: 'protocol-error',
      observations: 0,
    },
    {
      name: 'description invalid UTF-8 survived',
      keys: 'desc-invalid-utf8',
      status: 'success',
      check: readsAxis,
    },
  ]);

  it('a LOCATION outside the targets is never fetched: the guard refuses it, the probe says out-of-scope', async () => {
    const { outcome } = await search('hostile');
    const url = `http://${OUTSIDE}:${countingPort}/rootdesc1.xml`;
    expect(outcome.followUps).toEqual([{ probe: 'upnp', url }]);
    expect(lab.guard.checkUrl(url).allowed).toBe(false);
    const exchanges: Exchange[] = [];
    const r = await upnpProbe.run(
      { host: at.hostile ?? '', url },
      probeContext(lab.guard, (e) => exchanges.push(e), { timeoutMs: 4000, windowMs: 400 }),
    );
    expect(r.status).toBe('out-of-scope');
    expect(exchanges).toEqual([]);
    expect(fetchedOutside).toBe(0);
  });
});
