/**
 * The HTTP banner probe against the loopback lab: a real persona, every HTTP fault, and redirects
 * (followed in scope, never out of it). Addresses: 127.78.2.0/24, plus 127.78.250.1 for the
 * out-of-scope listener.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Exchange, responseBytes } from '../../src/core/exchange.ts';
import { type HttpFault, listPersonas, type Persona } from '../../src/lab/persona.ts';
import { renderHttpResponse } from '../../src/lab/template.ts';
import { observeHttp } from '../../src/probes/http/observe.ts';
import { parseResponse } from '../../src/probes/http/parse.ts';
import { httpProbe } from '../../src/probes/http/probe.ts';
import { faultLineup, faultMatrix } from '../helpers/fault-matrix.ts';
import { probeContext, useFaultLab } from '../helpers/probe-lab.ts';

const BASE = '127.78.2.10';
const PORT = 20080;
const OUTSIDE = '127.78.250.1';

const hikvision = listPersonas().find((p) => p.id.startsWith('hikvision-ds-2cd2385g1'));
if (!hikvision) throw new Error('the Hikvision persona is missing');
const HIK: Persona = hikvision;

/** A persona made for one test: its response files live in a temporary folder. */
function syntheticPersona(dir: string, id: string, routes: { path: string; response: string }[]): Persona {
  return {
    id,
    name: id,
    kind: 'camera',
    expect: { finding: 'none' },
    provenance: [],
    dir,
    services: {
      http: [
        {
          port: 80,
          routes: routes.map((r) => ({ method: 'GET', path: r.path, response: r.response })),
          default: 'not-found.txt',
        },
      ],
    },
  };
}

/** Counts every TCP connection it receives; the out-of-scope tests expect none. */
async function countingServer(host: string): Promise<{ server: Server; port: number; count: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    socket.on('error', () => {});
    socket.end('HTTP/1.1 200 OK\r\nServer: should-never-be-seen\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port, count: () => connections };
}

describe('httpProbe against the loopback lab', () => {
  let tmp: string;
  let outside: Awaited<ReturnType<typeof countingServer>>;

  // Registered before the lab's own hooks: the redirect personas need the listener's port and
  // their response files before the lab starts.
  beforeAll(async () => {
    outside = await countingServer(OUTSIDE);
    tmp = mkdtempSync(join(tmpdir(), 'camsweep-http-test-'));
    const files: Record<string, string> = {
      'not-found.txt': 'HTTP/1.1 404 Not Found\nContent-Length: 0\n\n',
      'redirect-out.txt': `HTTP/1.1 302 Found\nLocation: http://${OUTSIDE}:${outside.port}/\nContent-Length: 0\n\n`,
      'redirect-in.txt': 'HTTP/1.1 302 Found\nLocation: /doc/page/login.asp\nContent-Length: 0\n\n',
      'login.txt':
        'HTTP/1.1 200 OK\nServer: App-webs/\nContent-Type: text/html\nContent-Length: {{contentLength}}\n\n' +
        '<html><head><title>Login</title></head><body></body></html>',
      'redirect-loop.txt': 'HTTP/1.1 301 Moved Permanently\nLocation: /\nContent-Length: 0\n\n',
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(tmp, name), text);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (outside ? outside.server.close(() => resolve()) : resolve()));
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const faults: HttpFault[] = ['hang', 'reset', 'split', 'garbage', 'oversize', 'drip', 'invalid-utf8'];
  // Only the lab's own addresses are in scope: 127.78.250.1 is not.
  const lab = useFaultLab({
    base: BASE,
    protocol: 'http',
    lineup: () => [
      { key: 'hikvision', persona: HIK },
      ...faultLineup(HIK, faults),
      {
        key: 'redirect-out',
        persona: syntheticPersona(tmp, 'lab-redirect-out', [{ path: '/', response: 'redirect-out.txt' }]),
      },
      {
        key: 'redirect-in',
        persona: syntheticPersona(tmp, 'lab-redirect-in', [
          { path: '/', response: 'redirect-in.txt' },
          { path: '/doc/page/login.asp', response: 'login.txt' },
        ]),
      },
      {
        key: 'redirect-loop',
        persona: syntheticPersona(tmp, 'lab-redirect-loop', [{ path: '/', response: 'redirect-loop.txt' }]),
      },
    ],
  });
  const { at } = lab;
  const run = lab.runner(httpProbe, { timeoutMs: 5000, windowMs: 300, port: PORT, service: 'http' });

  async function probe(key: string, timeoutMs = 5000, port = PORT) {
    const r = await run(key, { timeoutMs, port });
    expect(r.outcome).toMatchObject({ probe: 'http-banner', host: r.host, port });
    // The extras after the root page (favicon, vendor paths: test/probes/http-extras.test.ts) are
    // kept apart; these tests are about the root page and its redirects.
    const extra = (ex: Exchange) => ex.probe === 'http-extras';
    return { ...r, exchanges: r.exchanges.filter((ex) => !extra(ex)), extras: r.exchanges.filter(extra) };
  }

  /** The root page's exchange, which these fault rows need to exist. */
  function rootExchange(exchanges: Exchange[]): Exchange {
    const [ex] = exchanges;
    if (!ex) throw new Error('no exchange');
    return ex;
  }

  function hikRoot(host: string): Buffer {
    return renderHttpResponse(readFileSync(join(HIK.dir, 'http-root.txt'), 'utf8'), {
      host,
      httpPort: PORT,
      ...(HIK.mac ? { mac: HIK.mac } : {}),
    });
  }

  it('Hikvision: success, the raw exchange recorded with Server: App-webs/ and the redirect page', async () => {
    const { outcome, exchanges } = await probe('hikvision');
    expect(outcome.status).toBe('success');
    expect(exchanges).toHaveLength(1);
    const [ex] = exchanges;
    if (!ex) throw new Error('no exchange');
    expect(ex).toMatchObject({ host: at.hikvision, port: PORT, transport: 'tcp', protocol: 'http' });
    expect(ex.request).toMatch(/^GET \/ HTTP\/1\.1\r\nHost: 127\.78\.2\.10:20080\r\n/);
    expect(responseBytes(ex).equals(hikRoot(at.hikvision ?? ''))).toBe(true);
    const obs = observeHttp(ex);
    expect(obs.filter((o) => o.field === 'http.header.server').map((o) => o.value)).toEqual(['App-webs/']);
    const parsed = parseResponse(responseBytes(ex));
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.response.body.toString('utf8')).toContain(
      'window.location.href = "./doc/page/login.asp?_"',
    );
  });

  faultMatrix(
    (key, o = {}) => probe(key, o.timeoutMs, o.port),
    [
      {
        name: 'a port with nothing listening: connection-refused, nothing recorded',
        keys: 'hikvision',
        overrides: { port: PORT + 1 },
        status: 'connection-refused',
        exchanges: 0,
      },
      {
        name: 'hang: connection-timeout at the deadline, nothing recorded',
        keys: 'hang',
        overrides: { timeoutMs: 1500 },
        status: 'connection-timeout',
        exchanges: 0,
      },
      {
        // Bytes that arrived before the reset are evidence (a status line); a reset before any byte is
        // connection-reset. Either way nothing is invented.
        name: 'reset after 20 bytes: a status from the closed set, and never more than the device sent',
        keys: 'reset',
        status: ['connection-reset', 'success'],
        check: ({ outcome, exchanges }) => {
          const sent = hikRoot(at.reset ?? '').subarray(0, 20);
          if (outcome.status === 'success') {
            expect(exchanges).toHaveLength(1);
            expect(responseBytes(exchanges[0] as Exchange).equals(sent)).toBe(true);
          } else {
            expect(exchanges).toEqual([]);
          }
        },
      },
      {
        name: 'split into 7-byte writes: success with the full head and body',
        keys: 'split',
        overrides: { timeoutMs: 15_000 },
        status: 'success',
        check: ({ exchanges }) => {
          const ex = rootExchange(exchanges);
          expect(responseBytes(ex).equals(hikRoot(at.split ?? ''))).toBe(true);
          const parsed = parseResponse(responseBytes(ex));
          if (!parsed.ok) throw new Error(parsed.reason);
          expect(parsed.response.headersComplete).toBe(true);
          expect(parsed.response.header('server')).toBe('App-webs/');
          expect(parsed.response.header('last-modified')).toBe('Thu, 01 Jan 1970 00:25:04 GMT');
        },
      },
      {
        name: 'garbage: protocol-mismatch, the bytes kept exactly (base64)',
        keys: 'garbage',
        status: 'protocol-mismatch',
        check: ({ exchanges }) => {
          const ex = rootExchange(exchanges);
          expect(ex.encoding).toBe('base64');
          expect([...responseBytes(ex)]).toEqual([
            0x00, 0xff, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x0a, 0x00,
          ]);
        },
      },
      {
        name: 'oversize (10 MB without a length): success, the recorded response stays under ~80 KiB',
        keys: 'oversize',
        overrides: { timeoutMs: 10_000 },
        status: 'success',
        exchanges: 1,
        check: ({ exchanges }) => {
          const bytes = responseBytes(exchanges[0] as Exchange);
          expect(bytes.length).toBeLessThanOrEqual(80 * 1024);
          const parsed = parseResponse(bytes);
          expect(parsed.ok && parsed.response.header('server')).toBe('lab-oversize');
        },
      },
      {
        // A slow HTTP server is not "not HTTP": the deadline ended it.
        name: 'drip (one byte a second): ends by the deadline as a timeout, with what arrived kept',
        keys: 'drip',
        overrides: { timeoutMs: 2500 },
        status: 'connection-timeout',
        check: ({ exchanges }) => {
          const sent = hikRoot(at.drip ?? '');
          for (const ex of exchanges) {
            const got = responseBytes(ex);
            expect(got.length).toBeLessThan(sent.length);
            expect(sent.subarray(0, got.length).equals(got)).toBe(true);
          }
        },
      },
      {
        name: 'invalid UTF-8 after the body: success, the bytes round-trip exactly through the exchange',
        keys: 'invalid-utf8',
        status: 'success',
        check: ({ exchanges }) => {
          const ex = rootExchange(exchanges);
          const head = hikRoot(at['invalid-utf8'] ?? '');
          const sent = Buffer.concat([head, Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xff])]);
          const got = responseBytes(ex);
          // The whole response made it, and what was kept is exactly what was sent.
          expect(got.length).toBeGreaterThanOrEqual(head.length);
          expect(sent.subarray(0, got.length).equals(got)).toBe(true);
          if (got.length > head.length) expect(ex.encoding).toBe('base64');
          expect(JSON.parse(JSON.stringify(ex)).response).toBe(ex.response);
        },
      },
    ],
  );

  it('a redirect to an out-of-scope host is not followed', async () => {
    const { outcome, exchanges } = await probe('redirect-out');
    expect(outcome.status).toBe('success');
    expect(outcome.detail).toMatch(/out-of-scope/);
    expect(outside.count()).toBe(0);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]?.host).toBe(at['redirect-out']);
    const redirects = observeHttp(exchanges[0] as Exchange).filter((o) => o.field === 'http.redirect');
    expect(redirects.map((o) => o.value)).toEqual([`http://${OUTSIDE}:${outside.port}/`]);
  });

  it('an out-of-scope target is never dialled', async () => {
    const exchanges: Exchange[] = [];
    const outcome = await httpProbe.run(
      { host: OUTSIDE, port: outside.port },
      probeContext(lab.guard, (ex) => exchanges.push(ex), { timeoutMs: 3000, windowMs: 300 }),
    );
    expect(outcome.status).toBe('out-of-scope');
    expect(exchanges).toEqual([]);
    expect(outside.count()).toBe(0);
  });

  it('an in-scope redirect to the login page is followed and both answers recorded', async () => {
    const { outcome, exchanges } = await probe('redirect-in');
    expect(outcome.status).toBe('success');
    expect(exchanges.map((ex) => ex.request?.split('\r\n')[0])).toEqual([
      'GET / HTTP/1.1',
      'GET /doc/page/login.asp HTTP/1.1',
    ]);
    const titles = exchanges.flatMap((ex) => observeHttp(ex)).filter((o) => o.field === 'http.title');
    expect(titles.map((o) => o.value)).toEqual(['Login']);
  });

  it('a redirect loop stops at the hop limit', async () => {
    const { outcome, exchanges } = await probe('redirect-loop');
    expect(outcome.status).toBe('success');
    expect(outcome.detail).toMatch(/redirect limit/);
    expect(exchanges.length).toBeGreaterThanOrEqual(2);
    expect(exchanges.length).toBeLessThanOrEqual(4);
  });
});
