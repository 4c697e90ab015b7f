/**
 * ONVIF with the user's credentials on devices that ask for HTTP Digest (Hikvision, Dahua): the
 * hash on RFC 7616's worked example, the challenge reader on the personas' real 401 heads, and
 * the probe against a device on 127.0.0.1 (a local TCP server, port 0, and the same device in
 * memory) that checks the Digest answer the way RFC 7616 §3.4 defines it. Secrets never reach a
 * recording or a log.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadKnowledge } from '../../src/cli/knowledge.ts';
import { type Exchange, encodeResponse } from '../../src/core/exchange.ts';
import { redact, redactExchange } from '../../src/core/redact.ts';
import type { ScopeGuard } from '../../src/core/scope.ts';
import { createScopeGuard } from '../../src/engine/scope.ts';
import { buildTargetSet } from '../../src/engine/targets.ts';
import { checkUsernameToken } from '../../src/lab/http-responder.ts';
import { renderHttpResponse } from '../../src/lab/template.ts';
import { analyse } from '../../src/pipeline/analyse.ts';
import {
  authParams,
  type DigestChallenge,
  digestAuthorization,
  digestChallenge,
  digestResponse,
} from '../../src/probes/onvif/digest.ts';
import { buildSoapPost, newUsernameToken } from '../../src/probes/onvif/message.ts';
import { observeOnvif } from '../../src/probes/onvif/parse.ts';
import { onvifProbe } from '../../src/probes/onvif/probe.ts';
import { DEFAULT_SETTINGS } from '../../src/probes/settings.ts';
import type { ProbeSettings } from '../../src/probes/types.ts';
import { useLocalServer } from '../helpers/local-server.ts';
import { memoryTransport } from '../helpers/memory-transport.ts';
import { probeContext } from '../helpers/probe-lab.ts';

const HOST = '127.0.0.1';
const USER = 'digest-user-5cf2';
const PASSWORD = 'lab-only-7616-pw';
const HIK_DIR = new URL('../../fixtures/devices/hikvision-ds-2cd2385g1-i-v5-6-2-190701/', import.meta.url);
const DAHUA_DIR = new URL('../../fixtures/devices/dahua-ipc-hdw1025c-2-420-dahua-00-14-r/', import.meta.url);
const fixture = (dir: URL, file: string) => readFileSync(new URL(file, dir), 'utf8');
/** The real WWW-Authenticate value of a persona's 401 head. */
const challengeOf = (head: string) => /^WWW-Authenticate:[ \t]*(.*)$/im.exec(head)?.[1]?.trim() ?? '';
const HIK_401 = fixture(HIK_DIR, 'onvif-401.txt');
const HIK_CHALLENGE = challengeOf(HIK_401);
const DAHUA_CHALLENGE = challengeOf(fixture(DAHUA_DIR, 'onvif-401.txt'));

const valuesOf = (obs: { field: string; value: string }[], field: string) =>
  obs.filter((o) => o.field === field).map((o) => o.value);

// ---------------------------------------------------------------------------------------------

describe('the Digest computation (digest.ts)', () => {
  // RFC 7616 §3.9.1.
  const RFC = {
    username: 'Mufasa',
    password: 'Circle of Life',
    realm: 'http-auth@example.org',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    method: 'GET',
    uri: '/dir/index.html',
    qop: 'auth' as const,
    nc: '00000001',
  };

  it("RFC 7616's worked example: the MD5 and SHA-256 responses", () => {
    expect(digestResponse({ ...RFC, algorithm: 'MD5' })).toBe('8ca523f5e9506fed4657c9700eebdbec');
    expect(digestResponse({ ...RFC, algorithm: 'SHA-256' })).toBe(
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    );
  });

  it("Hikvision's real challenge: MD5 (none named), qop auth, its realm and nonce", () => {
    expect(digestChallenge(HIK_CHALLENGE)).toEqual({
      algorithm: 'MD5',
      realm: 'IP Camera(C2183)',
      nonce: '4e5468694e7a42694e7a4d364f4449354d7a6b354d54513d',
      qop: 'auth',
    });
  });

  it("Dahua's real challenge (no space after commas): its empty opaque is kept to be echoed", () => {
    expect(digestChallenge(DAHUA_CHALLENGE)).toEqual({
      algorithm: 'MD5',
      realm: 'Login to 2J0101FPAA9F3E2',
      nonce: 'b252aWYtZGlnZXN0OjQzNTI5MTg3NDYw',
      opaque: '',
      qop: 'auth',
    });
  });

  it('what we cannot answer is not answered: auth-int only, other algorithms, Basic, no nonce', () => {
    for (const raw of [
      'Digest realm="r", nonce="n", qop="auth-int"',
      'Digest realm="r", nonce="n", qop="auth", algorithm=SHA-512-256',
      'Digest realm="r", nonce="n", qop="auth", algorithm=MD5-sess',
      'Digest realm="r", qop="auth"',
      'Basic realm="IP Camera(C2183)"',
    ])
      expect(digestChallenge(raw), raw).toBeUndefined();
    expect(
      digestChallenge('Digest realm="r", nonce="n", qop="auth-int,auth", algorithm=sha-256'),
    ).toMatchObject({
      algorithm: 'SHA-256',
      qop: 'auth',
    });
  });

  it('the header answers the challenge: a server recomputing the hash agrees; opaque echoed', () => {
    const challenge: DigestChallenge = {
      ...RFC,
      algorithm: 'SHA-256',
      opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
    };
    const header = digestAuthorization(challenge, RFC, 'POST', RFC.uri) ?? '';
    const p = authParams(header.replace(/^Digest\s+/, ''));
    expect(p.get('algorithm')).toBe('SHA-256');
    expect(p.get('opaque')).toBe(challenge.opaque);
    expect(p.get('nc')).toBe('00000001');
    expect(p.get('cnonce')).toMatch(/^[0-9a-f]{32}$/);
    expect(p.get('response')).toBe(expectedResponse(p, { method: 'POST', password: RFC.password }));
    // A fresh cnonce each time.
    const again = authParams(digestAuthorization(challenge, RFC, 'POST', RFC.uri) ?? '');
    expect(again.get('cnonce')).not.toBe(p.get('cnonce'));
  });

  it('an RFC 2069 challenge without qop: no nc, no cnonce, response = H(HA1:nonce:HA2)', () => {
    const header = digestAuthorization({ algorithm: 'MD5', realm: 'r', nonce: 'n' }, RFC, 'POST', '/x') ?? '';
    expect(header).not.toMatch(/\b(?:qop|nc|cnonce)=/);
    const h = (s: string) => createHash('md5').update(s).digest('hex');
    expect(authParams(header).get('response')).toBe(h(`${h(`Mufasa:r:${RFC.password}`)}:n:${h('POST:/x')}`));
  });

  it('quotes are escaped, and a user name with a line break makes no header at all', () => {
    const challenge: DigestChallenge = {
      algorithm: 'MD5',
      realm: 'a "quoted" realm',
      nonce: 'n',
      qop: 'auth',
    };
    const header =
      digestAuthorization(challenge, { username: 'o"brien\\', password: 'p' }, 'POST', '/') ?? '';
    expect(authParams(header).get('username')).toBe('o"brien\\');
    expect(authParams(header).get('realm')).toBe('a "quoted" realm');
    expect(
      digestAuthorization(challenge, { username: 'a\r\nX-Injected: 1', password: 'p' }, 'POST', '/'),
    ).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------

/** How the device on 127.0.0.1 guards its device service (every call but GetSystemDateAndTime). */
interface DeviceMode {
  /** The WWW-Authenticate values of a refusal, given a fresh nonce. */
  challenges: (nonce: string) => string[];
  realm: string;
  /** Algorithms whose answer it accepts; none for a Basic-only device. */
  accepts: ('MD5' | 'SHA-256')[];
  /** The opaque it sent, which must come back. */
  opaque?: string;
  /** It checks the WS-UsernameToken as well as the Digest answer. */
  token?: boolean;
}

const HIKVISION: DeviceMode = {
  // The real Hikvision value with our nonce in place of the recorded one.
  challenges: (nonce) => [HIK_CHALLENGE.replace(/nonce="[^"]*"/, `nonce="${nonce}"`)],
  realm: 'IP Camera(C2183)',
  accepts: ['MD5'],
};

/** A GetDeviceInformation answer for the Hikvision persona. ASSEMBLED: the persona's model and
 * firmware (its folder name) in ONVIF-Core's GetDeviceInformationResponse; no capture of its own. */
const DEVICE_INFORMATION =
  '<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><env:Body><tds:GetDeviceInformationResponse><tds:Manufacturer>HIKVISION</tds:Manufacturer><tds:Model>DS-2CD2385G1-I</tds:Model><tds:FirmwareVersion>V5.6.2 build 190701</tds:FirmwareVersion><tds:SerialNumber>DS-2CD2385G1-I20190701AAWRC21830000</tds:SerialNumber><tds:HardwareId>88</tds:HardwareId></tds:GetDeviceInformationResponse></env:Body></env:Envelope>';

/** RFC 7616 §3.4.1, written out again here so the probe's own function is not checking itself. */
function expectedResponse(p: Map<string, string>, r: { method: string; password: string }): string {
  const hash = p.get('algorithm') === 'SHA-256' ? 'sha256' : 'md5';
  const h = (s: string) => createHash(hash).update(s, 'utf8').digest('hex');
  const ha1 = h(`${p.get('username')}:${p.get('realm')}:${r.password}`);
  const ha2 = h(`${r.method}:${p.get('uri')}`);
  return h(`${ha1}:${p.get('nonce')}:${p.get('nc')}:${p.get('cnonce')}:${p.get('qop')}:${ha2}`);
}

/** A device on 127.0.0.1: `answer` takes one whole request and gives the bytes it sends back. */
function digestDevice(password = PASSWORD) {
  let mode = HIKVISION;
  let nonceCount = 0;
  const issued = new Set<string>();
  /** Every request the device received, as sent (secrets included: they never leave the test). */
  const received: string[] = [];
  const state = { now: new Date(), nonces: new Set<string>() };

  /** RFC 7616 §3.4: the answer names our user, realm, an unused nonce we issued, the request's URI … */
  const digestOk = (authorization: string | undefined, method: string, uri: string): boolean => {
    const m = /^Digest\s+([\s\S]*)$/i.exec(authorization ?? '');
    if (!m) return false;
    const p = authParams(m[1] ?? '');
    const nonce = p.get('nonce') ?? '';
    const algorithm = (p.get('algorithm') ?? 'MD5') as 'MD5' | 'SHA-256';
    const fresh = issued.delete(nonce);
    const named =
      p.get('username') === USER &&
      p.get('realm') === mode.realm &&
      p.get('uri') === uri &&
      p.get('qop') === 'auth' &&
      /^[0-9a-f]{8}$/i.test(p.get('nc') ?? '') &&
      (p.get('cnonce') ?? '') !== '' &&
      mode.accepts.includes(algorithm) &&
      (mode.opaque === undefined || p.get('opaque') === mode.opaque);
    // … and its response is the hash of the password we hold.
    return fresh && named && p.get('response') === expectedResponse(p, { method, password });
  };

  const refusal = (): Buffer => {
    const nonce = createHash('sha256').update(`nonce-${++nonceCount}-${Date.now()}`).digest('base64');
    issued.add(nonce);
    const head = HIK_401.replace(/^WWW-Authenticate:.*\r?\n/im, '');
    const lines = mode
      .challenges(nonce)
      .map((c) => `WWW-Authenticate: ${c}\n`)
      .join('');
    return renderHttpResponse(head.replace(/\r?\n\r?\n/, `\n${lines}\n`), { host: HOST, httpPort: 80 });
  };

  const answer = (raw: string): Buffer => {
    received.push(raw);
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    const [method = '', uri = ''] = head.split(' ');
    const action = /action="[^"]*\/(\w+)"/.exec(head)?.[1];
    if (action === 'GetSystemDateAndTime')
      return renderHttpResponse(fixture(HIK_DIR, 'onvif-systemdateandtime.txt'), {
        host: HOST,
        httpPort: 80,
      });
    const authorization = /^Authorization:[ \t]*(.*)$/im.exec(head)?.[1];
    state.now = new Date();
    const tokenOk =
      !mode.token ||
      checkUsernameToken(body, { username: USER, password, actions: {}, rejected: '' }, state) === 'valid';
    if (action === 'GetDeviceInformation' && digestOk(authorization, method, uri) && tokenOk)
      return Buffer.from(
        `HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(DEVICE_INFORMATION)}\r\n\r\n${DEVICE_INFORMATION}`,
      );
    return refusal();
  };

  return {
    answer,
    received,
    use(m: DeviceMode) {
      mode = m;
      received.length = 0;
    },
    /** The Authorization values the device was sent. */
    authorizations: () => received.flatMap((r) => /^Authorization:[ \t]*(.*)$/im.exec(r)?.[1] ?? []),
  };
}

/** Reads one request (head, then Content-Length bytes of body) and answers it, then closes. */
function serve(socket: Socket, answer: (raw: string) => Buffer): void {
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf('\r\n\r\n');
    if (end < 0) return;
    const length = Number(
      /^Content-Length:\s*(\d+)/im.exec(buffered.subarray(0, end).toString('latin1'))?.[1] ?? 0,
    );
    if (buffered.length < end + 4 + length) return;
    socket.end(answer(buffered.toString('utf8')));
  });
}

let guard: ScopeGuard;
beforeAll(async () => {
  // 127.0.0.2 is in scope too: a challenge naming it must still not be followed there.
  guard = createScopeGuard(await buildTargetSet({ targets: [HOST, '127.0.0.2'] }));
});

const knowledge = loadKnowledge(undefined);
const right = () => ({ username: USER, password: PASSWORD });

describe('onvifProbe against a Digest device on 127.0.0.1', () => {
  const device = digestDevice();
  const server = useLocalServer(HOST, (socket) => serve(socket, device.answer));

  async function probe(mode: DeviceMode, credentials?: ProbeSettings['credentials']) {
    device.use(mode);
    // Which hosts the probe asked credentials for.
    const lookups: string[] = [];
    const lookup =
      credentials &&
      ((h: string) => {
        lookups.push(h);
        return credentials(h);
      });
    const settings: ProbeSettings = lookup ? { ...DEFAULT_SETTINGS, credentials: lookup } : DEFAULT_SETTINGS;
    const exchanges: Exchange[] = [];
    const ctx = probeContext(guard, (ex) => exchanges.push(ex), { timeoutMs: 8000, windowMs: 300, settings });
    const url = `http://${HOST}:${server.port}/onvif/device_service`;
    const outcome = await onvifProbe.run({ host: HOST, url }, ctx);
    const observations = exchanges.flatMap(observeOnvif);
    return { outcome, exchanges, observations, lookups, devices: analyse(exchanges, knowledge).devices };
  }

  it('right credentials: the token alone is stopped at HTTP, the Digest retry authenticates; model and firmware', async () => {
    const { outcome, exchanges, observations, devices, lookups } = await probe(HIKVISION, right);
    expect(outcome.status).toBe('success');
    expect(outcome.detail).toBe('7/7 calls answered; authenticated (HTTP Digest)');
    expect(lookups).toEqual([HOST]);
    expect(exchanges).toHaveLength(7);
    // The 401 to the token alone is no verdict on the credentials: never "rejected".
    expect(valuesOf(observations, 'onvif.auth')).toEqual([
      ...Array(5).fill('auth-required'),
      'authenticated',
    ]);
    expect(valuesOf(observations, 'onvif.device.model')).toEqual(['DS-2CD2385G1-I']);
    expect(devices[0]).toMatchObject({
      maker: 'hikvision',
      model: 'DS-2CD2385G1-I',
      firmware: 'V5.6.2 build 190701',
    });
    // One Digest answer, with the token still in its body.
    expect(device.authorizations()).toHaveLength(1);
    expect(device.received.filter((r) => r.includes('Authorization:'))[0]).toContain('<wsse:UsernameToken>');
  });

  it('a wrong password: one Digest retry, refused, so credentials-rejected; no model', async () => {
    const { outcome, exchanges, observations, devices } = await probe(HIKVISION, () => ({
      username: USER,
      password: 'not-the-password',
    }));
    expect(outcome.detail).toBe('7/7 calls answered; credentials rejected (HTTP Digest)');
    expect(exchanges).toHaveLength(7);
    expect(device.authorizations()).toHaveLength(1);
    expect(valuesOf(observations, 'onvif.auth')).toEqual([
      ...Array(5).fill('auth-required'),
      'credentials-rejected',
    ]);
    expect(valuesOf(observations, 'onvif.device.model')).toEqual([]);
    expect(devices[0]?.model).toBeUndefined();
  });

  it('SHA-256 offered first (Dahua realm, empty opaque): answered with SHA-256, opaque echoed', async () => {
    const dahua: DeviceMode = {
      challenges: (nonce) => {
        const [, params = ''] =
          /^Digest\s+(.*)$/.exec(DAHUA_CHALLENGE.replace(/nonce="[^"]*"/, `nonce="${nonce}"`)) ?? [];
        return [`Digest algorithm=SHA-256,${params}`, `Digest algorithm=MD5,${params}`];
      },
      realm: 'Login to 2J0101FPAA9F3E2',
      accepts: ['SHA-256'],
      opaque: '',
    };
    const { outcome, observations } = await probe(dahua, right);
    expect(outcome.detail).toContain('authenticated (HTTP Digest)');
    expect(valuesOf(observations, 'onvif.device.model')).toEqual(['DS-2CD2385G1-I']);
    const [sent = ''] = device.authorizations();
    expect(authParams(sent).get('algorithm')).toBe('SHA-256');
    expect(authParams(sent).get('opaque')).toBe('');
  });

  it('a device that checks the WS-UsernameToken as well as the Digest answer: both pass', async () => {
    const { outcome, observations } = await probe({ ...HIKVISION, token: true }, right);
    expect(outcome.detail).toContain('authenticated (HTTP Digest)');
    expect(valuesOf(observations, 'onvif.auth')).toContain('authenticated');
  });

  it('a Basic-only challenge: the password is not sent over plain HTTP, and the detail says so', async () => {
    const basic: DeviceMode = {
      challenges: () => ['Basic realm="IP Camera(C2183)"'],
      realm: '',
      accepts: [],
    };
    const { outcome, exchanges, observations } = await probe(basic, right);
    expect(outcome.detail).toBe(
      '6/6 calls answered; credentials rejected (HTTP Basic asked for, not sent over plain HTTP)',
    );
    expect(exchanges).toHaveLength(6);
    expect(device.authorizations()).toEqual([]);
    expect(device.received.join('\n')).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
    expect(valuesOf(observations, 'onvif.auth')).not.toContain('authenticated');
  });

  it('credentials for another host only: nothing credentialed is sent', async () => {
    const { exchanges, lookups, observations } = await probe(HIKVISION, (h) =>
      h === '127.0.0.2' ? right() : undefined,
    );
    expect(lookups).toEqual([HOST]);
    expect(exchanges).toHaveLength(5);
    expect(device.received.some((r) => r.includes('UsernameToken') || r.includes('Authorization:'))).toBe(
      false,
    );
    // GetServices, GetCapabilities, GetHostname, GetDeviceInformation: each a 401, none credentialed.
    expect(valuesOf(observations, 'onvif.auth')).toEqual(Array(4).fill('auth-required'));
  });

  it('the recorded exchanges and the logs hold no user name, password, cnonce or Digest response', async () => {
    const written: string[] = [];
    const spies = [process.stdout, process.stderr].map((s) =>
      vi.spyOn(s, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      }),
    );
    const { exchanges } = await probe(HIKVISION, right).finally(() => {
      for (const s of spies) s.mockRestore();
    });
    const sent = authParams(device.authorizations()[0] ?? '');
    const secrets = [USER, PASSWORD, sent.get('cnonce') ?? '?', sent.get('response') ?? '?'];
    const retry = exchanges.find((e) => e.request?.includes('Authorization:'));
    expect(retry?.request).toMatch(/^Authorization: Digest \[redacted\]\r$/m);
    expect(retry?.request).toContain('<wsse:UsernameToken>[redacted]</wsse:UsernameToken>');
    for (const ex of exchanges) {
      // Redacting again for --record changes nothing.
      expect(redactExchange(ex)).toEqual(ex);
      for (const secret of secrets) expect(JSON.stringify(ex)).not.toContain(secret);
    }
    for (const secret of secrets) expect(written.join('')).not.toContain(secret);
  });
});

describe('the same device in memory: the challenge names no other place to go', () => {
  it('a challenge with a domain on another in-scope host: every dial stays on 127.0.0.1', async () => {
    const device = digestDevice();
    device.use({
      ...HIKVISION,
      challenges: (nonce) => [
        `Digest qop="auth", realm="IP Camera(C2183)", nonce="${nonce}", domain="http://127.0.0.2/onvif/device_service"`,
      ],
    });
    const transport = memoryTransport({
      [`${HOST}:80`]: (request) => ({ chunks: [device.answer(request.toString('utf8'))], end: 'close' }),
    });
    const exchanges: Exchange[] = [];
    const settings: ProbeSettings = {
      ...DEFAULT_SETTINGS,
      credentials: (h) => (h === HOST ? right() : undefined),
    };
    const ctx = probeContext(guard, (ex) => exchanges.push(ex), {
      timeoutMs: 8000,
      windowMs: 300,
      settings,
      transport,
    });
    const outcome = await onvifProbe.run({ host: HOST, url: `http://${HOST}/onvif/device_service` }, ctx);
    expect(outcome.detail).toContain('authenticated (HTTP Digest)');
    expect(transport.dials.map((d) => `${d.host}:${d.port}`)).toEqual(Array(7).fill(`${HOST}:80`));
  });
});

describe('what a recorded credentialed exchange says (parse.ts)', () => {
  const url = new URL(`http://${HOST}/onvif/device_service`);
  const token = newUsernameToken(USER, PASSWORD, 0);
  const ofRequest = (request: string, response: string) =>
    valuesOf(
      observeOnvif({
        type: 'exchange',
        host: HOST,
        port: 80,
        transport: 'tcp',
        protocol: 'onvif',
        probe: 'onvif-soap',
        request: redact(request),
        ...encodeResponse(Buffer.from(response)),
      }),
      'onvif.auth',
    );
  const digest401 = `HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: ${HIK_CHALLENGE}\r\nContent-Length: 0\r\n\r\n`;

  it('a 401 Digest challenge to a token without an Authorization header: auth-required, not rejected', () => {
    expect(ofRequest(buildSoapPost(url, 'GetDeviceInformation', 'x', token), digest401)).toEqual([
      'auth-required',
    ]);
  });

  it('the same 401 to a request that carried a Digest answer: credentials-rejected', () => {
    const authorization = digestAuthorization(
      digestChallenge(HIK_CHALLENGE) as DigestChallenge,
      right(),
      'POST',
      url.pathname,
    );
    expect(
      ofRequest(buildSoapPost(url, 'GetDeviceInformation', 'x', token, authorization), digest401),
    ).toEqual(['credentials-rejected']);
  });
});
