/**
 * probes/http/parse.ts: pure, lenient, bounded. Example tests from the malformed cases of the
 * dependency review and from camera quirks, then fast-check properties (never throws, output
 * bounded, well-formed input round-trips).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_BODY_BYTES,
  MAX_CHALLENGES,
  MAX_HEADERS,
  MAX_TITLE_CHARS,
  type ParsedResponse,
  parseResponse,
  splitChallenges,
} from '../../src/probes/http/parse.ts';
import { REVIEW_CASES } from '../helpers/bad-server.ts';

function ok(input: string | Buffer): ParsedResponse {
  const result = parseResponse(typeof input === 'string' ? Buffer.from(input, 'latin1') : input);
  if (!result.ok) throw new Error(`expected a response, got ${result.reason}`);
  return result.response;
}

const reviewCase = (name: Exclude<keyof typeof REVIEW_CASES, 'silent'>): Buffer => {
  const raw = REVIEW_CASES[name].raw();
  return typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw;
};

describe('status line', () => {
  it('reads HTTP/1.x with and without a reason phrase', () => {
    expect(ok('HTTP/1.1 200 OK\r\n\r\n')).toMatchObject({
      kind: 'http',
      version: '1.1',
      status: 200,
      reason: 'OK',
    });
    expect(ok(reviewCase('no_reason_phrase'))).toMatchObject({
      status: 200,
      reason: '',
      statusLine: 'HTTP/1.1 200',
    });
    expect(ok('HTTP/1.0 404 Not  Found \r\n\r\n').reason).toBe('Not  Found');
  });

  it('reads RTSP/1.0 (RTSP on an HTTP port)', () => {
    const response = ok(reviewCase('rtsp_on_http_port'));
    expect(response).toMatchObject({ kind: 'rtsp', version: '1.0', status: 400, reason: 'Bad Request' });
    expect(response.header('cseq')).toBe('0');
  });

  it('skips stray line ends before the status line', () => {
    expect(ok('\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n').status).toBe(204);
  });

  it('flags garbage, HTTP/0.9 bodies and other protocols as not-http, empty as empty', () => {
    expect(parseResponse(reviewCase('garbage'))).toEqual({ ok: false, reason: 'not-http' });
    expect(parseResponse(reviewCase('http09_body_only'))).toEqual({ ok: false, reason: 'not-http' });
    expect(parseResponse(Buffer.from('SSH-2.0-dropbear_2019.78\r\n'))).toEqual({
      ok: false,
      reason: 'not-http',
    });
    expect(parseResponse(Buffer.from('HTTP/1.1 2000 OK\r\n\r\n'))).toEqual({ ok: false, reason: 'not-http' });
    expect(parseResponse(Buffer.alloc(0))).toEqual({ ok: false, reason: 'empty' });
    expect(parseResponse(Buffer.from('\r\n\r\n'))).toEqual({ ok: false, reason: 'not-http' });
  });
});

describe('headers', () => {
  it('accepts bare LF, CRLF and both mixed', () => {
    for (const raw of [
      'HTTP/1.1 200 OK\nServer: a\nX-B: b\n\nhi',
      'HTTP/1.1 200 OK\r\nServer: a\r\nX-B: b\r\n\r\nhi',
      'HTTP/1.1 200 OK\r\nServer: a\nX-B: b\r\n\nhi',
      'HTTP/1.1 200 OK\nServer: a\r\nX-B: b\n\r\nhi',
    ]) {
      const response = ok(raw);
      expect(response.headers).toEqual([
        { name: 'Server', value: 'a' },
        { name: 'X-B', value: 'b' },
      ]);
      expect(response.body.toString()).toBe('hi');
      expect(response.headersComplete).toBe(true);
    }
  });

  it('keeps a line without a colon as a nameless header', () => {
    expect(ok(reviewCase('header_no_colon')).headers).toEqual([
      { name: 'Server', value: 'foo' },
      { name: '', value: 'ThisLineHasNoColon' },
      { name: 'Content-Length', value: '2' },
    ]);
  });

  it('trims a space before the colon, keeps a space inside the name', () => {
    expect(ok(reviewCase('space_before_colon')).header('server')).toBe('thttpd/2.25b');
    const spaced = ok(reviewCase('space_in_name'));
    expect(spaced.header('Server')).toBeUndefined();
    expect(spaced.header('server name')).toBe('weird');
  });

  it('joins obs-fold continuation lines with one space', () => {
    expect(ok(reviewCase('obs_fold')).header('Server')).toBe('folded continuation');
    expect(ok('HTTP/1.1 200 OK\r\nX-A: one\r\n\ttwo\r\n   three  \r\n\r\n').header('x-a')).toBe(
      'one two three',
    );
  });

  it('keeps control characters and Latin-1 bytes', () => {
    expect(ok(reviewCase('ctl_in_value')).header('server')).toBe('ctl\x01char');
    const value = ok(reviewCase('latin1_value')).header('www-authenticate') ?? '';
    expect(Buffer.from(value, 'latin1').subarray(13, 19).toString('hex')).toBe('c9e3cff1bbfa');
  });

  it('keeps duplicates in wire order; header() is the first, case-insensitive', () => {
    const response = ok(reviewCase('dup_headers_order'));
    expect(response.headers.map((h) => h.name)).toEqual([
      'WWW-Authenticate',
      'WWW-Authenticate',
      'Set-Cookie',
      'Set-Cookie',
      'Server',
      'X-Frame-Options',
      'Content-Length',
    ]);
    expect(response.header('set-cookie')).toBe('a=1');
    expect(response.headerAll('SET-COOKIE')).toEqual(['a=1', 'b=2']);
    expect(response.headerAll('x-missing')).toEqual([]);
  });

  it('parses a head cut off before the blank line', () => {
    const response = ok(reviewCase('headers_truncated'));
    expect(response.headersComplete).toBe(false);
    expect(response.headers).toEqual([{ name: 'Server', value: 'truncated' }]);
    expect(response.body.length).toBe(0);
    expect(ok('HTTP/1.1 200 OK').headers).toEqual([]);
    expect(ok('HTTP/1.1 200 OK\r\nServ').headers).toEqual([{ name: '', value: 'Serv' }]);
  });

  it(`keeps at most ${MAX_HEADERS} headers`, () => {
    const many = Array.from({ length: 500 }, (_, i) => `X-${i}: ${i}\r\n`).join('');
    const response = ok(`HTTP/1.1 200 OK\r\n${many}\r\nbody`);
    expect(response.headers.length).toBe(MAX_HEADERS);
    expect(response.headers.at(-1)).toEqual({ name: `X-${MAX_HEADERS - 1}`, value: String(MAX_HEADERS - 1) });
    expect(response.body.toString()).toBe('body');
  });
});

describe('body framing', () => {
  it('keeps every byte when Content-Length values conflict', () => {
    expect(ok(reviewCase('dup_content_length')).body.toString()).toBe('hello');
  });

  it('cuts to a single Content-Length, and keeps a short body as it came', () => {
    expect(ok('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef').body.toString()).toBe('abc');
    expect(ok('HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabcdef').body.toString()).toBe('abc');
    expect(ok(reviewCase('cl_too_long_close')).body.toString()).toBe('only-this');
    expect(ok('HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\nabcdef').body.toString()).toBe('abcdef');
  });

  it('de-chunks when Transfer-Encoding is chunked, even with Content-Length', () => {
    expect(ok(reviewCase('te_and_cl')).body.toString()).toBe('hi');
    const lf = 'HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3;name=v\nabc\nA \n0123456789\n0\n\n';
    expect(ok(lf).body.toString()).toBe('abc0123456789');
  });

  it('keeps the raw body when a chunk size is bad', () => {
    expect(ok(reviewCase('bad_chunk')).body.toString()).toBe('ZZ\r\nhi\r\n0\r\n\r\n');
    const noLineEnd = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhiXX\r\n0\r\n\r\n';
    expect(ok(noLineEnd).body.toString()).toBe('2\r\nhiXX\r\n0\r\n\r\n');
  });

  it('returns what arrived of a chunked body cut off mid-chunk', () => {
    expect(
      ok('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n10\r\npart').body.toString(),
    ).toBe('hellopart');
  });

  it(`caps the body at ${MAX_BODY_BYTES} bytes`, () => {
    const big = Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\n\r\n'), Buffer.alloc(200_000, 0x61)]);
    expect(ok(big).body.length).toBe(MAX_BODY_BYTES);
    const chunked = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${`ffff\r\n${'b'.repeat(0xffff)}\r\n`.repeat(3)}0\r\n\r\n`;
    expect(ok(chunked).body.length).toBe(MAX_BODY_BYTES);
  });
});

describe('title', () => {
  const page = (html: string | Buffer, head = 'HTTP/1.1 200 OK\r\n\r\n'): ParsedResponse =>
    ok(Buffer.concat([Buffer.from(head, 'latin1'), typeof html === 'string' ? Buffer.from(html) : html]));

  it('finds the first title, case-insensitive, with attributes, entities decoded, spaces collapsed', () => {
    expect(
      page(
        '<html><head><TITLE lang="en" >\n  Web &amp; Client\t&lt;v2&gt; &quot;x&quot; &#39;y&#39; &#65;&#x42;\n</Title >',
      ).title,
    ).toBe('Web & Client <v2> "x" \'y\' AB');
    expect(page('<title>first</title><title>second</title>').title).toBe('first');
    expect(page('<titlebar>no</titlebar>').title).toBeUndefined();
    expect(page('<p>no title</p>').title).toBeUndefined();
    expect(page('<title></title>').title).toBe('');
  });

  it('leaves unknown or invalid entities alone', () => {
    expect(page('<title>&bogus; &#0; &#xD800; &amp</title>').title).toBe('&bogus; &#0; &#xD800; &amp');
  });

  it('reads a title after a UTF-8 BOM', () => {
    const html = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<title>网络摄像机</title>')]);
    expect(page(html).title).toBe('网络摄像机');
  });

  it('decodes a declared GBK charset, from the header or from <meta>', () => {
    const gbk = Buffer.from([0xc9, 0xe3, 0xcf, 0xf1, 0xbb, 0xfa]);
    const body = (meta: string) =>
      Buffer.concat([Buffer.from(`${meta}<title>`), gbk, Buffer.from('</title>')]);
    expect(page(body(''), 'HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=GB2312\r\n\r\n').title).toBe(
      '摄像机',
    );
    expect(page(body('<meta http-equiv="Content-Type" content="text/html; charset=gbk">')).title).toBe(
      '摄像机',
    );
    expect(page(body('<meta charset="x-unknown-charset">')).title).toBe(gbk.toString('latin1'));
  });

  it('keeps undeclared non-UTF-8 bytes as Latin-1, so they stay recoverable', () => {
    const html = Buffer.concat([Buffer.from('<title>'), Buffer.from([0xc9, 0xe3]), Buffer.from('</title>')]);
    expect(Buffer.from(page(html).title ?? '', 'latin1').toString('hex')).toBe('c9e3');
  });

  it('takes an unclosed title up to the next tag, and caps its length', () => {
    expect(page('<title>Login<script>').title).toBe('Login');
    expect(page('<title>cut off').title).toBe('cut off');
    expect(page(`<title>${'x'.repeat(5000)}</title>`).title).toHaveLength(MAX_TITLE_CHARS);
    expect(Array.from(page(`<title>${'😀'.repeat(300)}</title>`).title ?? '')).toHaveLength(MAX_TITLE_CHARS);
  });

  it('looks in the de-chunked body', () => {
    const raw =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n<tit\r\n8\r\nle>DVR</\r\n6\r\ntitle>\r\n0\r\n\r\n';
    expect(ok(raw).title).toBe('DVR');
  });
});

describe('WWW-Authenticate challenges', () => {
  it('finds every challenge of every header, in order', () => {
    const response = ok(
      'HTTP/1.1 401 Unauthorized\r\n' +
        'WWW-Authenticate: Digest realm="Login to 4J0123", qop="auth,auth-int", nonce="a,b", Basic realm="x, y"\r\n' +
        'WWW-Authenticate: Negotiate\r\n' +
        'WWW-Authenticate: NTLM TlRMTVNTUAACAAAA==, Bearer realm = "api", error="invalid_token"\r\n\r\n',
    );
    expect(response.challenges).toEqual([
      {
        scheme: 'Digest',
        realm: 'Login to 4J0123',
        raw: 'Digest realm="Login to 4J0123", qop="auth,auth-int", nonce="a,b"',
      },
      { scheme: 'Basic', realm: 'x, y', raw: 'Basic realm="x, y"' },
      { scheme: 'Negotiate', raw: 'Negotiate' },
      { scheme: 'NTLM', raw: 'NTLM TlRMTVNTUAACAAAA==' },
      { scheme: 'Bearer', realm: 'api', raw: 'Bearer realm = "api", error="invalid_token"' },
    ]);
  });

  it('handles escaped quotes, unquoted realms, no scheme and unterminated quotes', () => {
    expect(splitChallenges('Basic realm="a \\"b\\", c"')).toEqual([
      { scheme: 'Basic', realm: 'a "b", c', raw: 'Basic realm="a \\"b\\", c"' },
    ]);
    expect(splitChallenges('Basic realm=IPCAM')).toEqual([
      { scheme: 'Basic', realm: 'IPCAM', raw: 'Basic realm=IPCAM' },
    ]);
    expect(splitChallenges('realm="orphan"')).toEqual([
      { scheme: '', realm: 'orphan', raw: 'realm="orphan"' },
    ]);
    expect(splitChallenges('Digest realm="open, nonce=1')).toEqual([
      { scheme: 'Digest', realm: 'open, nonce=1', raw: 'Digest realm="open, nonce=1' },
    ]);
    expect(splitChallenges(' , ,')).toEqual([]);
  });

  it(`keeps at most ${MAX_CHALLENGES} challenges`, () => {
    expect(splitChallenges(Array.from({ length: 100 }, (_, i) => `S${i}`).join(', '))).toHaveLength(
      MAX_CHALLENGES,
    );
  });
});

describe('properties', () => {
  const checkBounds = (bytes: Uint8Array): void => {
    const result = parseResponse(Buffer.from(bytes));
    if (!result.ok) {
      expect(['empty', 'not-http']).toContain(result.reason);
      return;
    }
    const r = result.response;
    expect(r.body.length).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(r.headers.length).toBeLessThanOrEqual(MAX_HEADERS);
    expect(r.challenges.length).toBeLessThanOrEqual(MAX_CHALLENGES);
    if (r.title !== undefined) expect(Array.from(r.title).length).toBeLessThanOrEqual(MAX_TITLE_CHARS);
    expect(Number.isInteger(r.status)).toBe(true);
  };

  it('never throws on arbitrary bytes, and the output stays bounded', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), checkBounds), { numRuns: 500 });
  });

  const headerish = fc.oneof(
    fc.constantFrom(
      'Server: App-webs/',
      'Server : thttpd',
      'WWW-Authenticate: Digest realm="a", nonce="b", Basic realm="c"',
      'WWW-Authenticate: "',
      'WWW-Authenticate: ,,,=,"\\',
      'Transfer-Encoding: chunked',
      'Content-Length: 5',
      'Content-Length: -1',
      'Content-Length: 99999999999999999999',
      '  folded',
      'NoColon',
      ':',
      '',
    ),
    fc.string({ maxLength: 80 }),
    fc.string({ unit: 'binary', maxLength: 80 }),
  );
  const body = fc.oneof(
    fc.constantFrom(
      '',
      'hi',
      '<title>&#x1F600;&amp;</title>',
      'ZZ\r\nhi\r\n0\r\n\r\n',
      '5\r\nhello\r\n0\r\n\r\n',
      '<TITLE a=">"',
    ),
    fc.string({ maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
  );

  it('never throws on arbitrary header-ish responses, and the output stays bounded', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('HTTP/1.1 200 OK', 'HTTP/1.0 401', 'RTSP/1.0 200 OK', 'HTTP/1.1 200 \x00\xff'),
        fc.array(headerish, { maxLength: 30 }),
        fc.constantFrom('\r\n', '\n', '\r'),
        fc.boolean(),
        body,
        (status, lines, eol, blank, rest) => {
          const text = [status, ...lines].join(eol) + (blank ? `${eol}${eol}` : eol) + rest;
          checkBounds(Buffer.from(text, 'utf8'));
          checkBounds(Buffer.from(text, 'latin1'));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('recovers well-formed headers in order, names and values as sent', () => {
    const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/);
    const value = fc.stringMatching(/^[!-~]([ -~]{0,40}[!-~])?$/);
    fc.assert(
      fc.property(
        fc.array(fc.record({ name: token, value }), { maxLength: 40 }),
        fc.constantFrom('\r\n', '\n'),
        (headers, eol) => {
          const text = `HTTP/1.1 200 OK${eol}${headers.map((h) => `${h.name}: ${h.value}${eol}`).join('')}${eol}`;
          expect(ok(text).headers).toEqual(headers);
        },
      ),
    );
  });
});
