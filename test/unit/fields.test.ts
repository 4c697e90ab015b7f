/**
 * Keeps producers (parsers and the probes' `produces` lists), the registry (src/observations/fields.ts)
 * and consumers (fingerprint files) in step. Each failure names what is out of step and where.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Exchange, type ExchangeProtocol, encodeResponse } from '../../src/core/exchange.ts';
import type { Observation } from '../../src/core/observation.ts';
import { PACKAGE_ROOT } from '../../src/core/paths.ts';
import { readYamlFile } from '../../src/core/yaml-file.ts';
import { buildLibrary, fingerprintFilePaths } from '../../src/fingerprints/load.ts';
import { loadVendors } from '../../src/fingerprints/vendors.ts';
import { listPersonas, type Persona } from '../../src/lab/persona.ts';
import { RESPONDERS } from '../../src/lab/responders/index.ts';
import { renderHttpResponse, renderTemplate, type TemplateVars } from '../../src/lab/template.ts';
import { FIELDS, isField } from '../../src/observations/fields.ts';
import { analyse } from '../../src/pipeline/analyse.ts';
import { buildReply } from '../../src/probes/dahua-legacy/message.ts';
import type { Probe } from '../../src/probes/types.ts';

/** Fields computed from other observations rather than parsed from an exchange. */
const DERIVED = new Set(['mac.oui.org']);

// --- consumers -------------------------------------------------------------------------------

const fingerprintFiles = fingerprintFilePaths().map((path) => {
  const data = readYamlFile(path, 'FINGERPRINT').data as { field?: unknown };
  return { file: relative(PACKAGE_ROOT, path), field: String(data.field) };
});

// --- probes ----------------------------------------------------------------------------------

function probeFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f === 'probe.ts' || f.endsWith('/probe.ts'))
    .map((f) => join(dir, f))
    .sort();
}

function isProbe(v: unknown): v is Probe {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Probe).id === 'string' &&
    Array.isArray((v as Probe).produces) &&
    typeof (v as Probe).run === 'function'
  );
}

const probes: { probe: Probe; file: string }[] = [];
for (const file of probeFiles(join(PACKAGE_ROOT, 'src', 'probes'))) {
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  for (const v of Object.values(mod)) {
    if (isProbe(v) && !probes.some((p) => p.probe.id === v.id)) {
      probes.push({ probe: v, file: relative(PACKAGE_ROOT, file) });
    }
  }
}

// --- producers: the persona responses, as the probes would record them ---------------------------

function exchange(
  protocol: ExchangeProtocol,
  host: string,
  port: number | undefined,
  bytes: Buffer,
  extra: Partial<Exchange> = {},
): Exchange {
  return {
    type: 'exchange',
    host,
    ...(port !== undefined ? { port } : {}),
    transport: 'tcp',
    protocol,
    ...encodeResponse(bytes),
    ...extra,
  };
}

function personaExchanges(p: Persona, host: string): Exchange[] {
  const out: Exchange[] = [];
  const read = (f: string) => readFileSync(join(p.dir, f), 'utf8');
  for (const svc of p.services.http ?? []) {
    const vars: TemplateVars = { host, httpPort: svc.port, ...(p.mac ? { mac: p.mac } : {}) };
    const tls =
      svc.tls && svc.tlsSubject
        ? {
            transport: 'tls' as const,
            tls: { subject: svc.tlsSubject, issuer: svc.tlsIssuer ?? svc.tlsSubject },
          }
        : {};
    const http = (f: string) => exchange('http', host, svc.port, renderHttpResponse(read(f), vars), tls);
    for (const r of svc.routes) {
      if (r.response) out.push(http(r.response));
      for (const f of Object.values(r.soap ?? {})) {
        out.push(exchange('onvif', host, svc.port, renderHttpResponse(read(f), vars), tls));
      }
    }
    if (svc.default) out.push(http(svc.default));
  }
  if (p.services.wsd) {
    const xml = renderTemplate(read(p.services.wsd.probeMatch), {
      host,
      httpPort: p.services.http?.[0]?.port ?? 80,
      ...(p.mac ? { mac: p.mac } : {}),
      relatesTo: 'uuid:00000000-0000-4000-8000-000000000000',
    });
    out.push(exchange('wsd', host, 3702, Buffer.from(xml, 'utf8'), { transport: 'udp' }));
  }
  for (const port of p.services.tcp ?? []) out.push(exchange('tcp', host, port, Buffer.alloc(0)));
  // Protocol responders (src/lab/responders) that can say what a probe would record from them.
  for (const r of RESPONDERS) {
    const path = join(p.dir, r.file);
    if (!r.sampleExchanges || !existsSync(path)) continue;
    const config = readYamlFile(path, 'LAB').data;
    out.push(...r.sampleExchanges(config, { persona: p, host, httpPort: p.services.http?.[0]?.port ?? 80 }));
  }
  return out;
}

/**
 * Responses no persona serves yet (no TLS persona, no anonymous GetDeviceInformation, no redirect,
 * no RTSP answer on an HTTP port), in the shapes the parsers are written for. They prove the parser
 * emits the field; they are not evidence of any device.
 */
const EXTRA_HOST = '127.0.9.1';
const extraExchanges: Exchange[] = [
  // Favicon, cookie, RTSP with SDP and an SDK port that volunteered bytes (issue #3 items 7, 9,
  // 10, 11): no persona serves these, so their shapes are exercised here. (Telnet and FTP
  // greetings come from the personas' banners.yaml.)
  exchange(
    'http',
    EXTRA_HOST,
    80,
    Buffer.concat([
      Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: image/x-icon\r\nContent-Length: 4\r\n\r\n'),
      Buffer.from([0, 0, 1, 0]),
    ]),
    { request: 'GET /favicon.ico HTTP/1.1\r\nHost: 127.0.9.1\r\n\r\n' },
  ),
  exchange(
    'http',
    EXTRA_HOST,
    80,
    Buffer.from('HTTP/1.1 200 OK\r\nSet-Cookie: DhWebClientSessionID=1; path=/\r\nContent-Length: 0\r\n\r\n'),
  ),
  exchange(
    'rtsp',
    EXTRA_HOST,
    554,
    Buffer.from(
      'RTSP/1.0 200 OK\r\nCSeq: 2\r\nServer: GStreamer RTSP server\r\nPublic: OPTIONS, DESCRIBE\r\n' +
        'WWW-Authenticate: Basic realm="DahuaRtsp"\r\nContent-Type: application/sdp\r\nContent-Length: 42\r\n\r\n' +
        'v=0\r\ns=Media Server\r\na=tool:LIVE555 x\r\nt=0 0\r\n',
    ),
  ),
  // A DESCRIBE answer another tool logged without its RTSP head: the SDP alone, with control
  // URLs and a media header line.
  exchange(
    'rtsp',
    EXTRA_HOST,
    554,
    Buffer.from(
      'v=0\r\ns=Media Presentation\r\na=control:rtsp://127.0.9.1:554/Streaming/Channels/101/\r\n' +
        'm=video 0 RTP/AVP 96\r\na=control:rtsp://127.0.9.1:554/Streaming/Channels/101/trackID=1\r\n' +
        'a=Media_header:MEDIAINFO=494D4B48010300000400050000000000000000000000000000000000000000000000000000000000;\r\n',
    ),
  ),
  exchange('sdk', EXTRA_HOST, 8000, Buffer.from([0, 0, 0, 16])),
  exchange(
    'http',
    EXTRA_HOST,
    80,
    Buffer.from(
      'HTTP/1.1 302 Found\r\nLocation: /doc/page/login.asp?_1700000000\r\nContent-Length: 0\r\n\r\n',
    ),
  ),
  exchange('http', EXTRA_HOST, 443, Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), {
    transport: 'tls',
    tls: {
      subject: 'CN=axis-accc8e3c0419,O=Axis Communications AB',
      issuer: 'CN=axis-accc8e3c0419,O=Axis Communications AB',
    },
  }),
  exchange(
    'http',
    EXTRA_HOST,
    554,
    Buffer.from('RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: Dahua Rtsp Server\r\n\r\n'),
  ),
  exchange(
    'onvif',
    EXTRA_HOST,
    80,
    (() => {
      const body = `<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl">
<env:Body><tds:GetDeviceInformationResponse>
<tds:Manufacturer>HIKVISION</tds:Manufacturer>
<tds:Model>DS-2CD2385G1-I</tds:Model>
<tds:FirmwareVersion>V5.6.2 build 190701</tds:FirmwareVersion>
<tds:SerialNumber>DS-2CD2385G1-I20190701AAWRD12345678</tds:SerialNumber>
<tds:HardwareId>88</tds:HardwareId>
</tds:GetDeviceInformationResponse></env:Body></env:Envelope>`;
      return Buffer.from(
        `HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    })(),
  ),
  // No Xiongmai persona yet: the DVRIP discovery reply shape (message 1531, NetWork.NetCommon JSON,
  // NUL-padded), values from a real reply (public code search hit id 43385522421).
  exchange(
    'dvrip',
    EXTRA_HOST,
    34569,
    (() => {
      const body = Buffer.from(
        '{ "Name" : "NetWork.NetCommon", "NetWork.NetCommon" : { "BuildDate" : "2018-09-17 10:47:30", "DeviceType" : 43, "HostIP" : "0x0a01a8c0", "HostName" : "IPC_6a6b", "HttpPort" : 80, "MAC" : "00:12:31:09:b7:9e", "SN" : "a5b23b431b14712e", "TCPPort" : 34567, "Version" : "V4.02.R12.E7335520.12012.047502.00000" }, "Ret" : 100, "SessionID" : "0x00000000" }\n\0',
      );
      const head = Buffer.alloc(20);
      head.writeUInt8(0xff, 0);
      head.writeUInt16LE(1531, 14);
      head.writeUInt32LE(body.length, 16);
      return Buffer.concat([head, body]);
    })(),
    { transport: 'udp' },
  ),
  // The Dahua persona's 5050 reply leaves the version and HTTPS port unset (no real values known);
  // the layout's version (4 x u16 at 0x20) and HTTPS port (0x60) in an ASSEMBLED reply, values illustrative.
  exchange(
    'dahua-legacy',
    EXTRA_HOST,
    5050,
    buildReply({ mac: '3c:ef:8c:00:00:01', version: [2, 400, 0, 16], httpsPort: 443 }),
    { transport: 'udp' },
  ),
];

const personas = listPersonas();
const personaEvidence = personas.flatMap((p, i) => personaExchanges(p, `127.0.${i + 1}.1`));
const emptyKnowledge = { library: buildLibrary([]), vendors: loadVendors(), policies: [] };

/** Fields seen per exchange protocol, and where each came from. */
function emitted(evidence: Exchange[]): Map<string, Map<string, string>> {
  const { observations } = analyse(evidence, emptyKnowledge);
  const out = new Map<string, Map<string, string>>();
  const add = (protocol: string, o: Observation) => {
    const m = out.get(protocol) ?? new Map<string, string>();
    if (!m.has(o.field)) m.set(o.field, o.host);
    out.set(protocol, m);
  };
  for (const ex of evidence) for (const o of analyse([ex], emptyKnowledge).observations) add(ex.protocol, o);
  // Derived fields (mac.oui.org) exist only once all of a host's observations are together.
  for (const o of observations) if (DERIVED.has(o.field)) add('derived', o);
  return out;
}

const fromPersonas = emitted(personaEvidence);
const fromAll = emitted([...personaEvidence, ...extraExchanges]);
const allEmitted = new Set([...fromAll.values()].flatMap((m) => [...m.keys()]));

describe('the field registry', () => {
  it('every fingerprint file keys on a registered field', () => {
    const unknown = fingerprintFiles
      .filter((f) => !isField(f.field))
      .map((f) => `${f.file}: field "${f.field}" is not in src/observations/fields.ts`);
    expect(unknown).toEqual([]);
    expect(fingerprintFiles.length).toBeGreaterThan(0);
  });

  it("every probe's produces list names registered fields only", () => {
    expect(probes.length).toBeGreaterThanOrEqual(3);
    const unknown = probes.flatMap(({ probe, file }) =>
      probe.produces.filter((f) => !Object.hasOwn(FIELDS, f)).map((f) => `${file} (${probe.id}): "${f}"`),
    );
    expect(unknown).toEqual([]);
  });
});

describe('every fingerprint field has a producer', () => {
  const produced = new Set<string>([...DERIVED, ...probes.flatMap((p) => p.probe.produces)]);

  it("is listed in some probe's produces (or derived)", () => {
    const orphans = fingerprintFiles
      .filter((f) => !produced.has(f.field))
      .map(
        (f) => `${f.file} keys on "${f.field}", but no probe in src/probes/**/probe.ts lists it in produces`,
      );
    expect(orphans).toEqual([]);
  });

  it('is actually emitted by a parser (or derived) from a recorded response', () => {
    const orphans = fingerprintFiles
      .filter((f) => !allEmitted.has(f.field))
      .map((f) => `${f.file} keys on "${f.field}", but no parser emitted it from any recorded response`);
    expect(orphans).toEqual([]);
  });
});

describe("every field a probe lists in produces is emitted by its protocol's parser", () => {
  it.each(probes.map((p) => [p.probe.id, p]))('%s', (_id, { probe, file }) => {
    const seen = fromAll.get(probe.protocol) ?? new Map<string, string>();
    const missing = probe.produces
      .filter((f) => !seen.has(f) && !(DERIVED.has(f) && fromAll.get('derived')?.has(f)))
      .map(
        (f) =>
          `${file} (${probe.id}) lists "${f}" in produces, but the ${probe.protocol} parser emitted it from no persona response (nor the extra shapes above)`,
      );
    expect(missing).toEqual([]);
  });

  it('the lab personas alone exercise the fields that identify their makers', () => {
    // Each of these fields is what a persona's expected maker rests on; losing one in a parser or a
    // response file would quietly weaken the lab.
    const want: [string, string][] = [
      ['http', 'http.header.server'],
      ['http', 'http.header.name_order'],
      ['http', 'http.auth.realm'],
      ['http', 'http.title'],
      ['onvif', 'http.auth.realm'],
      ['onvif', 'onvif.auth'],
      ['wsd', 'wsd.scope.name'],
      ['wsd', 'wsd.scope.hardware'],
      ['wsd', 'wsd.scope.other'],
      ['wsd', 'mac.address'],
      ['derived', 'mac.oui.org'],
      ['tcp', 'tcp.open_port'],
      ['telnet', 'telnet.banner'],
      ['ftp', 'ftp.banner'],
    ];
    const missing = want
      .filter(([protocol, field]) => !fromPersonas.get(protocol)?.has(field))
      .map(([protocol, field]) => `no persona response made the ${protocol} parser emit "${field}"`);
    expect(missing).toEqual([]);
  });
});
