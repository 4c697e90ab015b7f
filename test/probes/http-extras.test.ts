/**
 * HTTP extras (issue #3 item 7): favicon hashes (MD5 and Shodan mmh3), the short list of benign
 * vendor paths fetched after the root page, and the cookie fingerprints. No persona serves a real
 * favicon (no real icon bytes are published as text), so favicon hashing is tested on test-local
 * bytes and the published mmh3 vector. Addresses: 127.78.45.0/24 (lab), 127.78.46.1 (local).
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { identify } from '../../src/fingerprints/identify.ts';
import { loadLibrary } from '../../src/fingerprints/load.ts';
import { base64Lines, faviconHashes, faviconOf, mmh3Signed } from '../../src/probes/http/favicon.ts';
import { parseResponse } from '../../src/probes/http/parse.ts';
import { EXTRA_PATHS, extraPathsFor, FORBIDDEN_PATHS } from '../../src/probes/http/paths.ts';
import { httpProbe } from '../../src/probes/http/probe.ts';
import { useLocalServer } from '../helpers/local-server.ts';
import { useFaultLab } from '../helpers/probe-lab.ts';

const BASE = '127.78.45.10';
const LOCAL = '127.78.46.1';
const library = loadLibrary();

function parsed(text: string | Buffer) {
  const r = parseResponse(typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
  if (!r.ok) throw new Error('test response did not parse');
  return r.response;
}

describe('favicon hashing', () => {
  it('MurmurHash3 x86 32 (seed 0, signed) gives the published vector: "foo" → -156908512', () => {
    expect(mmh3Signed(Buffer.from('foo'))).toBe(-156908512);
  });

  it("encodes like Python's base64.encodebytes: 76-character lines, each ending in a newline", () => {
    const bytes = Buffer.from(Array.from({ length: 200 }, (_, i) => i));
    const text = base64Lines(bytes);
    const lines = text.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -2).every((l) => l.length === 76)).toBe(true);
    expect(lines.join('')).toBe(bytes.toString('base64'));
    expect(base64Lines(Buffer.from('foo'))).toBe('Zm9v\n');
    expect(base64Lines(Buffer.alloc(0))).toBe('');
  });

  it('hashes the raw bytes (MD5) and the base64 text (mmh3)', () => {
    const icon = Buffer.from([0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0]);
    const h = faviconHashes(icon);
    expect(h.md5).toBe(createHash('md5').update(icon).digest('hex'));
    expect(h.mmh3).toBe(String(mmh3Signed(Buffer.from(base64Lines(icon)))));
  });

  it('hashes only a complete 200 answer to GET /favicon.ico', () => {
    const icon = Buffer.from([0, 0, 1, 0, 9, 9]);
    const ok = Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n'), icon]);
    const req = 'GET /favicon.ico HTTP/1.1\r\n\r\n';
    expect(faviconOf(req, parsed(ok))?.md5).toBe(createHash('md5').update(icon).digest('hex'));
    expect(faviconOf('GET / HTTP/1.1\r\n\r\n', parsed(ok))).toBeUndefined();
    expect(faviconOf(req, parsed('HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno!'))).toBeUndefined();
    // Cut short: Content-Length promises more than arrived.
    expect(
      faviconOf(
        req,
        parsed(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 60\r\n\r\n'), icon])),
      ),
    ).toBeUndefined();
    expect(
      faviconOf(req, parsed('HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n<html>x</html>\n')),
    ).toBeUndefined();
  });

  it('a favicon hash from the verified lists names the maker (Hikvision MD5, Dahua mmh3); 999357577 names nobody', () => {
    const obs = (field: 'http.favicon.md5' | 'http.favicon.mmh3', value: string) => ({
      type: 'observation' as const,
      host: '192.0.2.1',
      field,
      value,
    });
    expect(identify([obs('http.favicon.md5', '89b932fcc47cf4ca3faadb0cfdef89cf')], library)[0]?.maker).toBe(
      'hikvision',
    );
    expect(identify([obs('http.favicon.mmh3', '2019488876')], library)[0]?.maker).toBe('dahua');
    expect(identify([obs('http.favicon.mmh3', '999357577')], library)).toEqual([]);
  });

  it('never throws and always gives a 32-hex MD5 and a signed 32-bit mmh3', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
        const h = faviconHashes(Buffer.from(bytes));
        expect(h.md5).toMatch(/^[0-9a-f]{32}$/);
        const n = Number(h.mmh3);
        expect(Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('extra paths', () => {
  it('never include an exploit-adjacent path, and vendor paths only when the root suggests the vendor', () => {
    for (const p of EXTRA_PATHS) {
      expect(FORBIDDEN_PATHS.some((re) => re.test(p.path))).toBe(false);
      expect(p.why.length).toBeGreaterThan(20);
    }
    expect(extraPathsFor(parsed('HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 0\r\n\r\n'))).toEqual([
      '/favicon.ico',
    ]);
    expect(
      extraPathsFor(parsed('HTTP/1.1 200 OK\r\nServer: App-webs/\r\nContent-Length: 0\r\n\r\n')),
    ).toEqual(['/favicon.ico', '/doc/page/login.asp', '/ISAPI/System/deviceInfo']);
  });

  it('Dahua and GoAhead cookie names are fingerprints', () => {
    const o = (value: string) => ({
      type: 'observation' as const,
      host: '192.0.2.1',
      field: 'http.cookie.name' as const,
      value,
    });
    expect(identify([o('DhWebClientSessionID')], library)[0]?.maker).toBe('dahua');
    expect(identify([o('DHLangCookie30')], library)[0]?.maker).toBe('dahua');
    expect(identify([o('_goaheadwebSessionId')], library)[0]?.maker).toBe('hikvision');
    expect(identify([o('JSESSIONID')], library)).toEqual([]);
  });
});

describe('httpProbe extras against the lab and a local server', () => {
  const requests: string[] = [];
  const ICON = Buffer.from([0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0, 0x68, 4, 0, 0]);
  const local = useLocalServer(LOCAL, (s) => {
    s.once('data', (d) => {
      const line = d.toString('latin1').split('\r\n')[0] ?? '';
      requests.push(line);
      if (line.startsWith('GET /favicon.ico '))
        s.end(
          Buffer.concat([
            Buffer.from(
              `HTTP/1.1 200 OK\r\nContent-Type: image/x-icon\r\nContent-Length: ${ICON.length}\r\n\r\n`,
            ),
            ICON,
          ]),
        );
      else
        s.end('HTTP/1.1 200 OK\r\nSet-Cookie: DhWebClientSessionID=abc; path=/\r\nContent-Length: 0\r\n\r\n');
    });
  });

  const lab = useFaultLab({
    base: BASE,
    scope: (l) => [...l.targets, LOCAL],
    lineup: [
      { key: 'hikvision', persona: 'hikvision-ds-2cd2385g1' },
      { key: 'dahua', persona: 'dahua-ipc-hdw1025c' },
    ],
  });
  const run = lab.runner(httpProbe, { timeoutMs: 5000, windowMs: 300, port: 20080, service: 'http' });

  it('Hikvision: after GET /, the favicon, the old login page and ISAPI deviceInfo (401 realm), GET only', async () => {
    const r = await run('hikvision');
    expect(r.outcome.status).toBe('success');
    expect(r.exchanges.map((e) => e.request?.split('\r\n')[0])).toEqual([
      'GET / HTTP/1.1',
      'GET /favicon.ico HTTP/1.1',
      'GET /doc/page/login.asp HTTP/1.1',
      'GET /ISAPI/System/deviceInfo HTTP/1.1',
    ]);
    expect(r.observations.filter((o) => o.field === 'http.auth.realm').map((o) => o.value)).toContain(
      'IP Camera(C2183)',
    );
    // The persona serves no favicon (no real icon bytes were published): no hash is made up.
    expect(r.observations.filter((o) => o.field.startsWith('http.favicon'))).toEqual([]);
  });

  it('Dahua: only the favicon is asked for, no Hikvision path', async () => {
    const r = await run('dahua');
    expect(r.exchanges.map((e) => e.request?.split('\r\n')[0])).toEqual([
      'GET / HTTP/1.1',
      'GET /favicon.ico HTTP/1.1',
    ]);
  });

  it('a served favicon becomes http.favicon.md5 and http.favicon.mmh3; cookie names are observed', async () => {
    const r = await run(LOCAL, { port: local.port });
    expect(requests).toEqual(['GET / HTTP/1.1', 'GET /favicon.ico HTTP/1.1']);
    const got = Object.fromEntries(
      r.observations.filter((o) => o.field.startsWith('http.favicon')).map((o) => [o.field, o.value]),
    );
    expect(got).toEqual({
      'http.favicon.md5': createHash('md5').update(ICON).digest('hex'),
      'http.favicon.mmh3': String(mmh3Signed(Buffer.from(base64Lines(ICON)))),
    });
    expect(
      identify(r.observations, library).some((i) => i.field === 'http.cookie.name' && i.maker === 'dahua'),
    ).toBe(true);
  });
});
