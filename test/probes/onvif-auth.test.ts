/**
 * ONVIF with the user's credentials: WS-UsernameToken PasswordDigest on the published example, the
 * Created time moved by the device's clock skew, GetCapabilities / GetHostname, and the Bosch
 * FLEXIDOME persona that answers GetDeviceInformation only to a valid token (lab-made password).
 * Secrets never reach a recording or a log. Addresses: 127.78.52.0/24 – 127.78.53.0/24 only.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../src/cli/knowledge.ts';
import { type Exchange, encodeResponse, responseBytes } from '../../src/core/exchange.ts';
import { redactExchange } from '../../src/core/redact.ts';
import { checkUsernameToken } from '../../src/lab/http-responder.ts';
import { type LabHandle, startLoopbackLab } from '../../src/lab/lab.ts';
import type { Persona } from '../../src/lab/persona.ts';
import { renderHttpResponse } from '../../src/lab/template.ts';
import { isField } from '../../src/observations/fields.ts';
import { analyse } from '../../src/pipeline/analyse.ts';
import { responseComplete } from '../../src/probes/http/framing.ts';
import { parseResponse } from '../../src/probes/http/parse.ts';
import {
  buildSoapPost,
  createdFor,
  newUsernameToken,
  passwordDigest,
  securityHeader,
} from '../../src/probes/onvif/message.ts';
import { observeOnvif, parseOnvifBody } from '../../src/probes/onvif/parse.ts';
import { onvifProbe } from '../../src/probes/onvif/probe.ts';
import { DEFAULT_SETTINGS } from '../../src/probes/settings.ts';
import type { ProbeSettings } from '../../src/probes/types.ts';
import { tcpExchange } from '../../src/transport/tcp.ts';
import { runCli } from '../helpers/cli.ts';
import { type LineupEntry, persona, useFaultLab } from '../helpers/probe-lab.ts';

const HTTP_PORT = 20080;
const USER = 'service';
const PASSWORD = 'lab-only-5100i'; // lab-made, in the Bosch persona.yaml

const BOSCH = persona('bosch-flexidome');

function fileResponse(p: Persona, file: string, host = '127.78.52.10'): Buffer {
  return renderHttpResponse(readFileSync(join(p.dir, file), 'utf8'), { host, httpPort: HTTP_PORT });
}

function exchangeOf(bytes: Buffer, request?: string): Exchange {
  return {
    type: 'exchange',
    host: '127.78.52.10',
    port: HTTP_PORT,
    transport: 'tcp',
    protocol: 'onvif',
    probe: 'onvif-soap',
    ...(request !== undefined ? { request } : {}),
    ...encodeResponse(bytes),
  };
}

const valuesOf = (obs: { field: string; value: string }[], field: string) =>
  obs.filter((o) => o.field === field).map((o) => o.value);

// ---------------------------------------------------------------------------------------------

describe('WS-UsernameToken (message.ts)', () => {
  // ONVIF Application Programmer's Guide §6.1.1.3; the same vector is quoted by many public
  // ONVIF clients (find_string "tuOSpGlFlIXsozq4HFNeeGeFLEI=").
  const NONCE = Buffer.from('LKqI6G/AikKCQrN0zqZFlg==', 'base64');

  it('PasswordDigest = Base64(SHA-1(nonce ‖ created ‖ password)) on the published example', () => {
    expect(passwordDigest(NONCE, '2010-09-16T07:50:45Z', 'userpassword')).toBe(
      'tuOSpGlFlIXsozq4HFNeeGeFLEI=',
    );
  });

  it('the header carries user, digest, Base64 nonce and Created; never the password itself', () => {
    const header = securityHeader({
      username: 'admin',
      password: 'userpassword',
      created: '2010-09-16T07:50:45Z',
      nonce: NONCE,
    });
    expect(header).toContain('<wsse:Username>admin</wsse:Username>');
    expect(header).toContain('#PasswordDigest">tuOSpGlFlIXsozq4HFNeeGeFLEI=</wsse:Password>');
    expect(header).toContain('#Base64Binary">LKqI6G/AikKCQrN0zqZFlg==</wsse:Nonce>');
    expect(header).toContain('<wsu:Created>2010-09-16T07:50:45Z</wsu:Created>');
    expect(header).not.toContain('userpassword');
  });

  it('a user name with XML metacharacters is escaped, not injected', () => {
    const header = securityHeader({
      username: 'a</wsse:Username><x>',
      password: 'p',
      created: 'c',
      nonce: NONCE,
    });
    expect(header).toContain('<wsse:Username>a&lt;/wsse:Username&gt;&lt;x&gt;</wsse:Username>');
  });

  it('Created is the device clock: local time plus the skew, ISO 8601 UTC to the second', () => {
    const local = Date.UTC(2010, 8, 16, 5, 50, 45, 640);
    expect(createdFor(0, local)).toBe('2010-09-16T05:50:45Z');
    expect(createdFor(2 * 3600_000, local)).toBe('2010-09-16T07:50:45Z');
    expect(createdFor(-90_000, local)).toBe('2010-09-16T05:49:15Z');
  });

  it('a fresh token has 16 random bytes of nonce', () => {
    const a = newUsernameToken('u', 'p', 0);
    const b = newUsernameToken('u', 'p', 0);
    expect(a.nonce).toHaveLength(16);
    expect(a.nonce.equals(b.nonce)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------

describe('parse: hostname, capabilities, and what the credentials did', () => {
  it('Bosch GetHostname and GetCapabilities (real bodies)', () => {
    const host = observeOnvif(exchangeOf(fileResponse(BOSCH, 'onvif-hostname.txt')));
    expect(valuesOf(host, 'onvif.hostname')).toEqual(['BOSCH-404754734001050102']);
    const caps = observeOnvif(exchangeOf(fileResponse(BOSCH, 'onvif-capabilities.txt')));
    expect(valuesOf(caps, 'onvif.capabilities.device_xaddr')).toEqual([
      `http://127.78.52.10:${HTTP_PORT}/onvif/device_service`,
    ]);
    // Bosch declares only ONVIF's own namespaces: nothing vendor-specific to report.
    expect(valuesOf(caps, 'onvif.capabilities.extension_ns')).toEqual([]);
  });

  it('vendor namespaces of a capabilities reply in the Hikvision envelope; standard ones are left out', () => {
    // The Hikvision persona's real envelope head around an ONVIF-Core GetCapabilitiesResponse.
    const services = fileResponse(persona('hikvision-ds-2cd2385g1'), 'onvif-services.txt').toString('utf8');
    const bytes = Buffer.from(
      services.replace(
        /<env:Body>[\s\S]*<\/env:Body>/,
        '<env:Body><tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>http://127.78.52.10/onvif/device_service</tt:XAddr></tt:Device></tds:Capabilities></tds:GetCapabilitiesResponse></env:Body>',
      ),
    );
    const parsed = parseResponse(bytes);
    if (!parsed.ok) throw new Error('bad fixture');
    const body = parsed.response.body.toString('utf8');
    expect(parseOnvifBody(200, body).capabilities).toEqual({
      deviceXAddr: 'http://127.78.52.10/onvif/device_service',
      extensionNamespaces: [
        'http://www.hikvision.com/2011/event/topics',
        'http://www.onvifext.com/onvif/ext/ver10/wsdl',
        'http://www.onvifext.com/onvif/ext/ver10/schema',
      ],
    });
  });

  const credentialed = redactExchange(
    exchangeOf(
      Buffer.alloc(0),
      buildSoapPost(
        new URL('http://127.78.52.10/onvif/device_service'),
        'GetDeviceInformation',
        'x',
        newUsernameToken(USER, PASSWORD, 0),
      ),
    ),
  ).request;

  it('a credentialed GetDeviceInformation answered → authenticated, with the device information', () => {
    const obs = observeOnvif(exchangeOf(fileResponse(BOSCH, 'onvif-deviceinformation.txt'), credentialed));
    expect(valuesOf(obs, 'onvif.auth')).toEqual(['authenticated']);
    expect(valuesOf(obs, 'onvif.device.manufacturer')).toEqual(['Bosch']);
    expect(valuesOf(obs, 'onvif.device.model')).toEqual(['FLEXIDOME indoor 5100i IR']);
    expect(valuesOf(obs, 'onvif.device.firmware')).toEqual(['8.71.0066']);
    expect(valuesOf(obs, 'onvif.device.hardware_id')).toEqual(['F000B543']);
  });

  it('NotAuthorized after credentials → credentials-rejected; without → auth-required', () => {
    const refusal = fileResponse(BOSCH, 'onvif-notauthorized.txt');
    expect(valuesOf(observeOnvif(exchangeOf(refusal, credentialed)), 'onvif.auth')).toEqual([
      'credentials-rejected',
    ]);
    expect(valuesOf(observeOnvif(exchangeOf(refusal)), 'onvif.auth')).toEqual(['auth-required']);
    const http401 = Buffer.from('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
    expect(valuesOf(observeOnvif(exchangeOf(http401, credentialed)), 'onvif.auth')).toEqual([
      'credentials-rejected',
    ]);
  });

  it('a WS-Security FailedAuthentication fault also means the credentials were refused', () => {
    const body =
      '<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>wsse:FailedAuthentication</s:Value></s:Subcode></s:Code></s:Fault></s:Body></s:Envelope>';
    const bytes = Buffer.from(
      `HTTP/1.1 400 Bad Request\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    expect(valuesOf(observeOnvif(exchangeOf(bytes, credentialed)), 'onvif.auth')).toEqual([
      'credentials-rejected',
    ]);
  });

  it('hostile capabilities and hostname replies stay bounded (property)', () => {
    const uri = fc.string({ maxLength: 300 }).map((s) => `http://x.example/${s.replace(/["'<>&]/g, '')}`);
    fc.assert(
      fc.property(fc.array(uri, { maxLength: 60 }), fc.string({ maxLength: 600 }), (uris, name) => {
        const decl = uris.map((u, i) => ` xmlns:v${i}="${u}"`).join('');
        const esc = name.replaceAll('&', '&amp;').replaceAll('<', '&lt;');
        const body =
          `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"${decl}><s:Body>` +
          '<GetCapabilitiesResponse><Capabilities><Device><XAddr>http://a/</XAddr></Device></Capabilities></GetCapabilitiesResponse>' +
          `<GetHostnameResponse><HostnameInformation><Name>${esc}</Name></HostnameInformation></GetHostnameResponse>` +
          '</s:Body></s:Envelope>';
        const parsed = parseOnvifBody(200, body);
        expect(parsed.capabilities?.extensionNamespaces.length ?? 0).toBeLessThanOrEqual(16);
        for (const ns of parsed.capabilities?.extensionNamespaces ?? [])
          expect(ns.length).toBeLessThanOrEqual(256);
        expect((parsed.hostname ?? '').length).toBeLessThanOrEqual(256);
        const bytes = Buffer.from(
          `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
        for (const o of observeOnvif(exchangeOf(bytes, credentialed))) expect(isField(o.field)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("the lab's token check never throws on hostile request bodies (property)", () => {
    const cfg = { username: USER, password: PASSWORD, actions: {}, rejected: 'x' };
    const parts = fc.constantFrom(
      '<wsse:UsernameToken>',
      '<wsse:Username>service</wsse:Username>',
      '<wsse:Password>AAAA</wsse:Password>',
      '<wsse:Nonce>%%%</wsse:Nonce>',
      '<wsu:Created>2010-13-45T99:99:99Z</wsu:Created>',
      '<wsu:Created>',
      '</wsse:UsernameToken>',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(parts, fc.string({ maxLength: 20 })), { maxLength: 30 }), (p) => {
        const verdict = checkUsernameToken(p.join(''), cfg, { now: new Date(), nonces: new Set() });
        expect(['none', 'invalid']).toContain(verdict);
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('onvifProbe with credentials against the Bosch persona (loopback lab)', () => {
  const LINEUP: LineupEntry[] = [
    { key: 'bosch', persona: BOSCH },
    // The same camera with its clock two hours fast (persona fault `clock`, in memory).
    { key: 'skewed', persona: { ...BOSCH, faults: { clock: '+7200' } } },
    // The same camera with its clock 45 minutes slow.
    { key: 'slow', persona: { ...BOSCH, faults: { clock: '-2700' } } },
    // A device that tells anyone its device information: credentials are never needed, never sent.
    {
      key: 'open',
      persona: {
        ...BOSCH,
        services: {
          ...BOSCH.services,
          http: (BOSCH.services.http ?? []).map((h) => ({
            ...h,
            routes: h.routes.map((r) =>
              r.soap ? { ...r, soap: { ...r.soap, GetDeviceInformation: 'onvif-deviceinformation.txt' } } : r,
            ),
          })),
        },
      },
    },
  ];

  const lab = useFaultLab({ base: '127.78.52.10', lineup: LINEUP });
  const { at } = lab;
  const run = lab.runner(onvifProbe, {
    observe: observeOnvif,
    timeoutMs: 8000,
    windowMs: 300,
    port: HTTP_PORT,
    url: (host, port) => `http://${host}:${port}/onvif/device_service`,
  });

  const knowledge = loadKnowledge(undefined);

  async function probe(key: string, credentials?: ProbeSettings['credentials']) {
    const lookups: string[] = [];
    const settings: ProbeSettings = {
      ...DEFAULT_SETTINGS,
      ...(credentials
        ? {
            credentials: (h: string) => {
              lookups.push(h);
              return credentials(h);
            },
          }
        : {}),
    };
    const r = await run(key, { settings });
    const devices = analyse(r.exchanges, knowledge).devices;
    return { ...r, devices, lookups };
  }

  const right = () => ({ username: USER, password: PASSWORD });

  it('without credentials: auth required, hostname and capabilities observed, five calls, no token', async () => {
    const { outcome, exchanges, observations, devices } = await probe('bosch');
    expect(outcome.status).toBe('success');
    expect(exchanges).toHaveLength(5);
    expect(exchanges.some((e) => e.request?.includes('UsernameToken'))).toBe(false);
    expect(valuesOf(observations, 'onvif.auth')).toEqual(['auth-required']);
    expect(valuesOf(observations, 'onvif.hostname')).toEqual(['BOSCH-404754734001050102']);
    expect(valuesOf(observations, 'onvif.capabilities.device_xaddr')).toEqual([
      `http://${at.bosch}:${HTTP_PORT}/onvif/device_service`,
    ]);
    expect(devices[0]?.maker).toBe('bosch');
    expect(devices[0]?.model).toBeUndefined();
  });

  it('with the right credentials: authenticated; the device gets its model and firmware', async () => {
    const { outcome, exchanges, observations, devices, lookups } = await probe('bosch', right);
    expect(outcome.status).toBe('success');
    expect(outcome.detail).toContain('authenticated');
    expect(lookups).toEqual([at.bosch]);
    expect(exchanges).toHaveLength(6);
    expect(valuesOf(observations, 'onvif.auth')).toEqual(['auth-required', 'authenticated']);
    expect(valuesOf(observations, 'onvif.device.manufacturer')).toEqual(['Bosch']);
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({
      maker: 'bosch',
      model: 'FLEXIDOME indoor 5100i IR',
      firmware: '8.71.0066',
    });
  });

  it('the recorded credentialed exchange holds no user name, digest, nonce or password', async () => {
    const { exchanges } = await probe('bosch', right);
    const withToken = exchanges.filter((e) => e.request?.includes('UsernameToken'));
    expect(withToken).toHaveLength(1);
    const [ex] = withToken;
    const request = ex?.request ?? '';
    expect(request).toContain('<wsse:UsernameToken>[redacted]</wsse:UsernameToken>');
    expect(request).not.toContain('<wsse:Username>');
    expect(request).not.toContain('<wsse:Nonce');
    expect(request).not.toContain('<wsu:Created>');
    expect(request).not.toContain(PASSWORD);
    // Redacting again for --record changes nothing, and the response is untouched evidence.
    expect(ex && redactExchange(ex)).toEqual(ex);
    expect(ex && responseBytes(ex).toString('utf8')).toContain('FLEXIDOME indoor 5100i IR');
    for (const e of exchanges) expect(JSON.stringify(e)).not.toContain(PASSWORD);
  });

  it('a device clock two hours fast: Created follows the device clock, so the digest is accepted', async () => {
    const { observations, devices } = await probe('skewed', right);
    const [utc] = valuesOf(observations, 'onvif.system_time.utc');
    expect(Date.parse(utc ?? '') - Date.now()).toBeGreaterThan(100 * 60_000);
    expect(valuesOf(observations, 'onvif.auth')).toEqual(['auth-required', 'authenticated']);
    expect(devices[0]?.model).toBe('FLEXIDOME indoor 5100i IR');
  });

  it('… and the same token with our own clock is refused by that device (the skew matters)', async () => {
    const host = at.skewed ?? '';
    const url = new URL(`http://${host}:${HTTP_PORT}/onvif/device_service`);
    const request = buildSoapPost(url, 'GetDeviceInformation', 'test', newUsernameToken(USER, PASSWORD, 0));
    const result = await tcpExchange(lab.guard, host, HTTP_PORT, request, {
      signal: AbortSignal.timeout(5000),
      stopWhen: responseComplete(),
    });
    const parsed = parseResponse(result.bytes);
    if (!parsed.ok) throw new Error('no HTTP answer');
    expect(parsed.response.status).toBe(400);
    expect(parseOnvifBody(400, parsed.response.body.toString('utf8')).fault).toBe('ter:NotAuthorized');
  });

  it('a device clock 45 minutes slow works too', async () => {
    const { observations } = await probe('slow', right);
    expect(valuesOf(observations, 'onvif.auth')).toEqual(['auth-required', 'authenticated']);
  });

  it('a wrong password: credentials-rejected, no device information, still a success', async () => {
    const { outcome, observations, devices } = await probe('bosch', () => ({
      username: USER,
      password: 'wrong',
    }));
    expect(outcome.status).toBe('success');
    expect(outcome.detail).toContain('credentials rejected');
    expect(valuesOf(observations, 'onvif.auth')).toEqual(['auth-required', 'credentials-rejected']);
    expect(valuesOf(observations, 'onvif.device.model')).toEqual([]);
    expect(devices[0]?.model).toBeUndefined();
  });

  it('credentials for other hosts only: nothing credentialed is sent', async () => {
    const { exchanges, observations } = await probe('bosch', (h) =>
      h === '127.78.59.1' ? right() : undefined,
    );
    expect(exchanges).toHaveLength(5);
    expect(valuesOf(observations, 'onvif.auth')).toEqual(['auth-required']);
  });

  it('a device that answers anonymously is never sent the credentials', async () => {
    const { exchanges, observations, lookups } = await probe('open', right);
    expect(exchanges).toHaveLength(5);
    expect(lookups).toEqual([]);
    expect(valuesOf(observations, 'onvif.device.model')).toEqual(['FLEXIDOME indoor 5100i IR']);
    expect(valuesOf(observations, 'onvif.auth')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('camsweep scan with CAMSWEEP_CREDENTIALS (the CLI, loopback lab)', () => {
  let lab: LabHandle;
  const temp = mkdtempSync(join(tmpdir(), 'camsweep-onvif-auth-'));

  beforeAll(async () => {
    lab = await startLoopbackLab({ personas: [BOSCH], base: '127.78.53.10', wsdPort: 3702 });
  });
  afterAll(async () => {
    await lab?.stop();
    rmSync(temp, { recursive: true, force: true });
  });

  it('names the model; --record and the logs hold no secret', async () => {
    const record = join(temp, 'exchanges.jsonl');
    const r = await runCli(
      [
        'scan',
        ...lab.targets,
        ...lab.scanArgs,
        '--format',
        'jsonl',
        '--record',
        record,
        '--log-level',
        'debug',
        '--udp-window',
        '300',
      ],
      { env: { CAMSWEEP_CREDENTIALS: `${USER}:${PASSWORD}` } },
    );
    expect(r.code).toBe(0);
    const devices = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; maker?: string; model?: string })
      .filter((e) => e.type === 'device');
    expect(devices).toEqual([
      expect.objectContaining({ maker: 'bosch', model: 'FLEXIDOME indoor 5100i IR' }),
    ]);
    const recorded = readFileSync(record, 'utf8');
    expect(recorded).toContain('UsernameToken>[redacted]<');
    expect(recorded).not.toContain(PASSWORD);
    expect(recorded).not.toContain('<wsse:Username>');
    expect(r.stderr).not.toContain(PASSWORD);
  }, 60_000);
});
