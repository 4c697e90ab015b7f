/**
 * ONVIF device service: the pure SOAP parser on every persona's recorded responses and on the
 * vendor shapes of PROTOCOLS.md §2, hostile input (property-based), and the probe against the
 * loopback lab. Addresses: 127.78.3.0/24 only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Exchange, encodeResponse, responseBytes } from '../../src/core/exchange.ts';
import { listPersonas, type Persona } from '../../src/lab/persona.ts';
import { renderHttpResponse } from '../../src/lab/template.ts';
import { isField } from '../../src/observations/fields.ts';
import { parseResponse } from '../../src/probes/http/parse.ts';
import { observeOnvif, parseOnvifBody } from '../../src/probes/onvif/parse.ts';
import { onvifProbe } from '../../src/probes/onvif/probe.ts';
import { persona, tokenSoup, useFaultLab } from '../helpers/probe-lab.ts';

const HOST = '127.78.3.10';
const HTTP_PORT = 20080;
const NOW = new Date(Date.UTC(2024, 2, 5, 7, 8, 9));
const NOW_ISO = '2024-03-05T07:08:09Z';

const ALL = listPersonas();
const ONVIF = ALL.filter((p) => existsSync(join(p.dir, 'onvif-systemdateandtime.txt')));

/** A persona's response file as the lab sends it, split into status and body. */
function response(p: Persona, file: string): { status: number; body: string; bytes: Buffer } {
  const bytes = renderHttpResponse(readFileSync(join(p.dir, file), 'utf8'), {
    host: HOST,
    httpPort: HTTP_PORT,
    now: NOW,
    ...(p.mac ? { mac: p.mac } : {}),
  });
  const parsed = parseResponse(bytes);
  if (!parsed.ok) throw new Error(`${p.id}/${file}: ${parsed.reason}`);
  return { status: parsed.response.status, body: parsed.response.body.toString('utf8'), bytes };
}

function exchangeOf(bytes: Buffer, host = HOST): Exchange {
  return {
    type: 'exchange',
    host,
    port: HTTP_PORT,
    transport: 'tcp',
    protocol: 'onvif',
    probe: 'onvif-soap',
    ...encodeResponse(bytes),
  };
}

function soap(body: string, ns = ''): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:ter="http://www.onvif.org/ver10/error"${ns}>` +
    `<env:Body>${body}</env:Body></env:Envelope>`
  );
}

describe('parseOnvifBody on the personas’ recorded responses', () => {
  it('covers the ONVIF personas', () => {
    expect(ONVIF.map((p) => p.id.split('-')[0]).sort()).toEqual(
      expect.arrayContaining(['amcrest', 'axis', 'bosch', 'dahua', 'hikvision', 'hiwatch', 'luma']),
    );
  });

  for (const p of ONVIF) {
    it(`${p.id}: GetSystemDateAndTime → UTC; GetServices → namespaces; the refusal → auth required`, () => {
      const time = response(p, 'onvif-systemdateandtime.txt');
      const t = parseOnvifBody(time.status, time.body);
      expect(t.utc).toBe(NOW_ISO);
      expect(t.authRequired).toBe(false);
      expect(t.fault).toBeUndefined();

      const services = response(p, 'onvif-services.txt');
      const s = parseOnvifBody(services.status, services.body);
      expect(s.serviceNamespaces).toContain('http://www.onvif.org/ver10/device/wsdl');
      expect(s.serviceNamespaces).toContain('http://www.onvif.org/ver10/media/wsdl');
      for (const ns of s.serviceNamespaces)
        expect(ns).toMatch(/^http:\/\/www\.onvif\.org\/ver\d+\/\w+\/wsdl$/);
      expect(s.authRequired).toBe(false);

      const refusalFile = existsSync(join(p.dir, 'onvif-401.txt'))
        ? 'onvif-401.txt'
        : 'onvif-notauthorized.txt';
      const refusal = response(p, refusalFile);
      const r = parseOnvifBody(refusal.status, refusal.body);
      expect(r.authRequired).toBe(true);
      expect(r.deviceInformation).toBeUndefined();
    });
  }

  it('Hikvision GetServices: every service namespace, in the order sent', () => {
    const services = response(persona('hikvision-ds-2cd2385g1'), 'onvif-services.txt');
    expect(parseOnvifBody(services.status, services.body).serviceNamespaces).toEqual([
      'http://www.onvif.org/ver10/device/wsdl',
      'http://www.onvif.org/ver10/media/wsdl',
      'http://www.onvif.org/ver10/events/wsdl',
      'http://www.onvif.org/ver20/imaging/wsdl',
      'http://www.onvif.org/ver10/deviceIO/wsdl',
      'http://www.onvif.org/ver20/analytics/wsdl',
      'http://www.onvif.org/ver10/recording/wsdl',
      'http://www.onvif.org/ver10/search/wsdl',
      'http://www.onvif.org/ver10/replay/wsdl',
      'http://www.onvif.org/ver20/media/wsdl',
    ]);
  });

  it('Hikvision HTML 401 page ("Document Error: Unauthorized") → auth required, no fault', () => {
    const r = response(persona('hikvision-ds-2cd2385g1'), 'onvif-401.txt');
    expect(r.status).toBe(401);
    expect(r.body).toContain('Document Error: Unauthorized');
    expect(parseOnvifBody(r.status, r.body)).toEqual({ authRequired: true, serviceNamespaces: [] });
  });

  it('Dahua 401 Digest with an empty body → auth required; the realm is observed', () => {
    const r = response(persona('dahua-ipc-hdw1025c'), 'onvif-401.txt');
    expect(r.body).toBe('');
    expect(parseOnvifBody(r.status, r.body).authRequired).toBe(true);
    const obs = observeOnvif(exchangeOf(r.bytes));
    expect(obs.filter((o) => o.field === 'onvif.auth').map((o) => o.value)).toEqual(['auth-required']);
    expect(obs.filter((o) => o.field === 'http.auth.realm').map((o) => o.value)).toEqual([
      'Login to 2J0101FPAA9F3E2',
    ]);
  });

  it('a 400 with a ter:NotAuthorized SOAP fault (UsernameToken-only, Bosch) → auth required', () => {
    const r = response(persona('bosch-flexidome'), 'onvif-notauthorized.txt');
    expect(r.status).toBe(400);
    const parsed = parseOnvifBody(r.status, r.body);
    expect(parsed.authRequired).toBe(true);
    expect(parsed.fault).toBe('ter:NotAuthorized');
  });

  it('faults that are not about credentials do not claim auth is required', () => {
    const fault = (code: string, sub: string) =>
      soap(
        `<env:Fault><env:Code><env:Value>${code}</env:Value><env:Subcode><env:Value>${sub}</env:Value></env:Subcode></env:Code>` +
          '<env:Reason><env:Text xml:lang="en">x</env:Text></env:Reason></env:Fault>',
      );
    const notSupported = parseOnvifBody(500, fault('env:Receiver', 'ter:ActionNotSupported'));
    expect(notSupported).toMatchObject({ authRequired: false, fault: 'ter:ActionNotSupported' });
    const badArg = parseOnvifBody(400, fault('env:Sender', 'ter:InvalidArgVal'));
    expect(badArg).toMatchObject({ authRequired: false, fault: 'ter:InvalidArgVal' });
  });

  const INFO = {
    manufacturer: 'HIKVISION',
    model: 'DS-2DF7286-A',
    firmware: 'V5.1.8 build 140616',
    serial: '0012345',
    hardwareId: '88',
  };
  const fields = (prefix: string) =>
    `<${prefix}Manufacturer>HIKVISION</${prefix}Manufacturer><${prefix}Model>DS-2DF7286-A</${prefix}Model>` +
    `<${prefix}FirmwareVersion>V5.1.8 build 140616</${prefix}FirmwareVersion>` +
    `<${prefix}SerialNumber>0012345</${prefix}SerialNumber><${prefix}HardwareId>88</${prefix}HardwareId>`;

  it('GetDeviceInformationResponse with tds: fields', () => {
    const body = soap(
      `<tds:GetDeviceInformationResponse>${fields('tds:')}</tds:GetDeviceInformationResponse>`,
    );
    expect(parseOnvifBody(200, body).deviceInformation).toEqual(INFO);
  });

  it('GetDeviceInformationResponse with tt: fields', () => {
    const body = soap(
      `<tds:GetDeviceInformationResponse>${fields('tt:')}</tds:GetDeviceInformationResponse>`,
    );
    expect(parseOnvifBody(200, body).deviceInformation).toEqual(INFO);
  });

  it('GetDeviceInformationResponse in a default namespace', () => {
    const body = soap(
      `<GetDeviceInformationResponse xmlns="http://www.onvif.org/ver10/device/wsdl">${fields('')}</GetDeviceInformationResponse>`,
    );
    const parsed = parseOnvifBody(200, body);
    expect(parsed.deviceInformation).toEqual(INFO);
    expect(parsed.authRequired).toBe(false);
  });

  it('keeps numeric-looking values as written: "0012345", "5.50", "1e3"', () => {
    const body = soap(
      '<tds:GetDeviceInformationResponse><tds:Manufacturer>IPCAM</tds:Manufacturer><tds:Model>1e3</tds:Model>' +
        '<tds:FirmwareVersion>5.50</tds:FirmwareVersion><tds:SerialNumber>0012345</tds:SerialNumber>' +
        '</tds:GetDeviceInformationResponse>',
    );
    const info = parseOnvifBody(200, body).deviceInformation;
    expect(info).toEqual({ manufacturer: 'IPCAM', model: '1e3', firmware: '5.50', serial: '0012345' });
    for (const v of Object.values(info ?? {})) expect(typeof v).toBe('string');
    const obs = observeOnvif(
      exchangeOf(
        Buffer.from(
          `HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        ),
      ),
    );
    expect(obs.find((o) => o.field === 'onvif.device.serial')?.value).toBe('0012345');
    expect(obs.find((o) => o.field === 'onvif.device.firmware')?.value).toBe('5.50');
  });

  it('a date-and-time reply with impossible parts yields no UTC rather than a made-up one', () => {
    const reply = (parts: { y: string; mo: string; d: string; h: string; mi: string; s: string }) =>
      soap(
        '<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:UTCDateTime>' +
          `<tt:Time><tt:Hour>${parts.h}</tt:Hour><tt:Minute>${parts.mi}</tt:Minute><tt:Second>${parts.s}</tt:Second></tt:Time>` +
          `<tt:Date><tt:Year>${parts.y}</tt:Year><tt:Month>${parts.mo}</tt:Month><tt:Day>${parts.d}</tt:Day></tt:Date>` +
          '</tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>',
      );
    const ok = { y: '2024', mo: '3', d: '5', h: '7', mi: '8', s: '9' };
    expect(parseOnvifBody(200, reply(ok)).utc).toBe(NOW_ISO);
    for (const bad of [
      { ...ok, mo: '13' },
      { ...ok, mo: 'March' },
      { ...ok, d: '32' },
      { ...ok, h: '24x' },
      { ...ok, mi: '-1' },
      { ...ok, s: '1'.repeat(300) },
    ]) {
      expect(parseOnvifBody(200, reply(bad)).utc, JSON.stringify(bad).slice(0, 80)).toBeUndefined();
    }
  });
});

// ---------------------------------------------------------------------------------------------

const XMLISH = [
  '<',
  '>',
  '</',
  '/>',
  ' ',
  '"',
  '<?xml version="1.0"?>',
  '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope">',
  '</env:Envelope>',
  '<Envelope>',
  '<env:Body>',
  '</env:Body>',
  '<Body>',
  '<env:Fault>',
  '<env:Code><env:Value>',
  '<env:Subcode><env:Value>',
  'ter:NotAuthorized',
  '</env:Value>',
  '<tds:GetDeviceInformationResponse>',
  '</tds:GetDeviceInformationResponse>',
  '<tds:Manufacturer>',
  '</tds:Manufacturer>',
  '<tds:SerialNumber>',
  '<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:UTCDateTime>',
  '<tt:Date><tt:Year>2024</tt:Year>',
  '<tt:Month>',
  '</tt:Month>',
  '<tt:Time><tt:Hour>',
  '</tt:Hour>',
  '<tds:GetServicesResponse>',
  '<tds:Service><tds:Namespace>',
  '</tds:Namespace></tds:Service>',
  '<![CDATA[',
  ']]>',
  '<!DOCTYPE x [<!ENTITY a "lol">]>',
  '&a;',
  '&amp;',
  '<__proto__>',
  '<constructor>',
  '#text',
  '\u0000',
];

const xmlish = tokenSoup(XMLISH, { stringLength: 10, parts: 80 });

function checkBounded(status: number, body: string): void {
  const parsed = parseOnvifBody(status, body);
  expect(typeof parsed.authRequired).toBe('boolean');
  expect(parsed.serviceNamespaces.length).toBeLessThanOrEqual(32);
  for (const ns of parsed.serviceNamespaces) expect(ns.length).toBeLessThanOrEqual(256);
  for (const v of Object.values(parsed.deviceInformation ?? {})) {
    expect(typeof v).toBe('string');
    expect(v.length).toBeLessThanOrEqual(256);
  }
  if (parsed.utc !== undefined) expect(parsed.utc).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  if (parsed.fault !== undefined) expect(typeof parsed.fault).toBe('string');
}

describe('parseOnvifBody / observeOnvif on hostile input (property)', () => {
  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), fc.string({ maxLength: 2000 }), (status, body) =>
        checkBounded(status, body),
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on XML-ish fragments', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), xmlish, (status, body) => checkBounded(status, body)),
      { numRuns: 500 },
    );
  });

  it('a UTC time, when given, is always a real instant in ISO 8601', () => {
    const part = fc.oneof(
      fc.integer({ min: -5, max: 10_000 }).map(String),
      fc.string({ maxLength: 6 }),
      fc.constantFrom('', '00', '1', '29', '30', '31', '2024', '1970', '0000', ' 7', '7 ', '٣'),
    );
    fc.assert(
      fc.property(fc.tuple(part, part, part, part, part, part), ([y, mo, d, h, mi, s]) => {
        const esc = (v: string) => v.replaceAll('&', '&amp;').replaceAll('<', '&lt;');
        const body = soap(
          '<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:UTCDateTime>' +
            `<tt:Time><tt:Hour>${esc(h)}</tt:Hour><tt:Minute>${esc(mi)}</tt:Minute><tt:Second>${esc(s)}</tt:Second></tt:Time>` +
            `<tt:Date><tt:Year>${esc(y)}</tt:Year><tt:Month>${esc(mo)}</tt:Month><tt:Day>${esc(d)}</tt:Day></tt:Date>` +
            '</tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>',
        );
        const { utc } = parseOnvifBody(200, body);
        if (utc === undefined) return;
        expect(utc).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
        expect(new Date(utc).toISOString().replace('.000Z', 'Z')).toBe(utc);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary recorded bytes, and observes only registered fields', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        xmlish,
        fc.uint8Array({ maxLength: 64 }),
        (s, b, tail) => {
          const head = `HTTP/1.1 ${s} X\r\nContent-Type: application/soap+xml\r\n\r\n`;
          const bytes = Buffer.concat([Buffer.from(head), Buffer.from(b), Buffer.from(tail)]);
          for (const o of observeOnvif(exchangeOf(bytes))) {
            expect(isField(o.field), o.field).toBe(true);
            expect(o.value.length).toBeLessThanOrEqual(512);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('onvifProbe against the loopback lab', () => {
  const lab = useFaultLab({
    base: HOST,
    protocol: 'http',
    lineup: [
      { key: 'hikvision', persona: 'hikvision-ds-2cd2385g1' },
      { key: 'bosch', persona: 'bosch-flexidome' },
      { key: 'dahua', persona: 'dahua-ipc-hdw1025c' },
      { key: 'hang', persona: 'axis-m2036', fault: 'hang' },
    ],
  });
  const { at } = lab;
  const probe = lab.runner(onvifProbe, {
    observe: observeOnvif,
    timeoutMs: 6000,
    windowMs: 300,
    port: HTTP_PORT,
    url: (host, port) => `http://${host}:${port}/onvif/device_service`,
  });

  const valuesOf = (obs: ReturnType<typeof observeOnvif>, field: string) =>
    obs.filter((o) => o.field === field).map((o) => o.value);

  it('Hikvision: five calls recorded; time and services answered, the rest refused', async () => {
    const { outcome, exchanges, observations } = await probe('hikvision');
    expect(outcome.status).toBe('success');
    // GetSystemDateAndTime, GetServices, GetCapabilities, GetHostname, GetDeviceInformation.
    expect(exchanges).toHaveLength(5);
    for (const ex of exchanges) {
      expect(ex).toMatchObject({ host: at.hikvision, port: HTTP_PORT, protocol: 'onvif', transport: 'tcp' });
      expect(ex.request).toMatch(/^POST \/onvif\/device_service HTTP\/1\.1\r\n/);
    }
    const statuses = exchanges.map((ex) => {
      const parsed = parseResponse(responseBytes(ex));
      return parsed.ok ? parsed.response.status : 0;
    });
    // This persona answers only GetSystemDateAndTime and GetServices; everything else gets its 401.
    expect(statuses).toEqual([200, 200, 401, 401, 401]);
    expect(new Set(valuesOf(observations, 'onvif.auth'))).toEqual(new Set(['auth-required']));
    expect(valuesOf(observations, 'onvif.service.namespace')).toHaveLength(10);
    const [utc] = valuesOf(observations, 'onvif.system_time.utc');
    expect(utc).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Math.abs(Date.parse(utc ?? '') - Date.now())).toBeLessThan(10 * 60_000);
    expect(valuesOf(observations, 'http.header.server')).toContain('App-webs/');
  });

  it('Bosch: only GetDeviceInformation is refused with ter:NotAuthorized → auth required', async () => {
    const { outcome, exchanges, observations } = await probe('bosch');
    expect(outcome.status).toBe('success');
    expect(exchanges).toHaveLength(5);
    expect(valuesOf(observations, 'onvif.auth')).toEqual(['auth-required']);
  });

  it('Dahua: the Digest realm of the refusal is observed', async () => {
    const { exchanges, observations } = await probe('dahua');
    expect(exchanges).toHaveLength(5);
    expect(new Set(valuesOf(observations, 'http.auth.realm'))).toEqual(new Set(['Login to 2J0101FPAA9F3E2']));
  });

  it('a device that never answers: connection-timeout by the deadline', async () => {
    const { outcome, exchanges } = await probe('hang', { timeoutMs: 1500 });
    expect(outcome.status).toBe('connection-timeout');
    expect(exchanges).toEqual([]);
  });

  it('nothing listening on the XAddr port: connection-refused', async () => {
    const { outcome, exchanges } = await probe('hikvision', { port: HTTP_PORT + 1 });
    expect(outcome.status).toBe('connection-refused');
    expect(exchanges).toEqual([]);
  });

  it('a host outside the targets: out-of-scope, nothing sent', async () => {
    const { outcome, exchanges } = await probe('127.78.3.200');
    expect(outcome.status).toBe('out-of-scope');
    expect(exchanges).toEqual([]);
  });
});
