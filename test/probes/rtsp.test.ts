/**
 * The RTSP probe: parser on real published captures, a property test, the loopback lab (the
 * Hikvision, Dahua, Amcrest and Axis personas' rtsp.yaml) and every RTSP fault. Addresses:
 * 127.78.40.0/24 (lab) and 127.78.41.1 (test-local servers).
 */
import type { Socket } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Exchange, encodeResponse } from '../../src/core/exchange.ts';
import { identify } from '../../src/fingerprints/identify.ts';
import { loadLibrary } from '../../src/fingerprints/load.ts';
import { requestInfo } from '../../src/lab/responders/rtsp.ts';
import { observe } from '../../src/observations/observe.ts';
import { buildDescribe, buildOptions } from '../../src/probes/rtsp/message.ts';
import { observeRtsp } from '../../src/probes/rtsp/parse.ts';
import { rtspProbe } from '../../src/probes/rtsp/probe.ts';
import { faultLineup, faultMatrix } from '../helpers/fault-matrix.ts';
import { expectBoundedObservations } from '../helpers/hostile-input.ts';
import { useLocalServer } from '../helpers/local-server.ts';
import { type ProbeRun, type RunOverrides, useFaultLab } from '../helpers/probe-lab.ts';

const BASE = '127.78.40.10';
const LOCAL = '127.78.41.1';
const RTSP_PORT = 20554;
const library = loadLibrary();

function rtspExchange(text: string | Buffer, host = '192.0.2.1'): Exchange {
  return {
    type: 'exchange',
    host,
    port: 554,
    transport: 'tcp',
    protocol: 'rtsp',
    probe: 'rtsp',
    ...encodeResponse(typeof text === 'string' ? Buffer.from(text, 'latin1') : text),
  };
}
const fields = (ex: Exchange) => observeRtsp(ex).map((o) => [o.field, o.value]);

// Real captures, CRLF restored (the published notes show them with bare line ends).
const crlf = (s: string) => s.replaceAll('\n', '\r\n');
const HIK_OPTIONS = crlf(
  'RTSP/1.0 200 OK\nCSeq: 1\nPublic: OPTIONS, DESCRIBE, PLAY, PAUSE, SETUP, TEARDOWN, SET_PARAMETER, GET_PARAMETER\nDate:  Thu, May 14 2020 16:45:35 GMT\n\n',
);
const HIK_401 = crlf(
  'RTSP/1.0 401 Unauthorized\nCSeq: 2\nWWW-Authenticate: Digest realm="IP Camera(C2875)", nonce="938032d91ffc30ca80b5da94c18887ac", stale="FALSE"\nDate:  Thu, May 14 2020 16:45:35 GMT\n\n',
);
const DAHUA_401 = crlf(
  'RTSP/1.0 401 Unauthorized\nCSeq: 2\nWWW-Authenticate: Digest realm="Login to 4M0747EPAA1D284", nonce="745449738fdf77164f570c37c9186b52"\n\n',
);
const DAHUA_SDP_BODY = crlf(
  'v=0\no=- 2252091052 2252091052 IN IP4 0.0.0.0\ns=Media Server\nc=IN IP4 0.0.0.0\nt=0 0\na=control:*\na=packetization-supported:DH\n',
);
const DAHUA_DESCRIBE_200 = crlf(
  `RTSP/1.0 200 OK\nCSeq: 4\nx-Accept-Dynamic-Rate: 1\nContent-Base: rtsp://115.236.15.165:554/cam/realmonitor?channel=1&subtype=0/\nCache-Control: must-revalidate\nContent-Length: ${Buffer.byteLength(DAHUA_SDP_BODY)}\nContent-Type: application/sdp\n\n`,
).concat(DAHUA_SDP_BODY);
const DARWIN_SDP_BODY = crlf(
  'v=0\no=- 0 0 IN IP4 127.0.0.1\ns=No Name\nc=IN IP4 0.0.0.0\nt=0 0\na=tool:libavformat 58.18.100\n',
);
const DARWIN_DESCRIBE = crlf(
  `RTSP/1.0 200 OK\nServer: VDMSDarwin/2.0 (Build/4.0; Platform/Linux; Release/EasyDarwin; State/Development; )\nCseq: 2\nContent-length: ${Buffer.byteLength(DARWIN_SDP_BODY)}\nContent-Type: application/sdp\n\n`,
).concat(DARWIN_SDP_BODY);
const AXIS_401 = crlf(
  'RTSP/1.0 401 Unauthorized\nCSeq: 1\nWWW-Authenticate: Digest realm="AXIS_00408CFE6F45", nonce="006a9bc1Y550601855bbd97cae8063796a4fb833637097", stale=FALSE\nWWW-Authenticate: Basic realm="AXIS_00408CFE6F45"\nDate: Thu, 10 Aug 2017 19:28:44 GMT\n\n',
);

describe('RTSP parser on real captures', () => {
  it('reads the Hikvision OPTIONS Public list and the 401 realm, and names Hikvision', () => {
    expect(fields(rtspExchange(HIK_OPTIONS))).toEqual([
      ['rtsp.public', 'OPTIONS, DESCRIBE, PLAY, PAUSE, SETUP, TEARDOWN, SET_PARAMETER, GET_PARAMETER'],
    ]);
    const obs = observeRtsp(rtspExchange(HIK_401));
    expect(obs.map((o) => [o.field, o.value])).toEqual([['rtsp.auth.realm', 'IP Camera(C2875)']]);
    expect(identify(obs, library).map((i) => i.maker)).toEqual(['hikvision']);
  });

  it('reads the Dahua realm with its serial, and the SDP session name of an authorised DESCRIBE', () => {
    const ids = identify(observeRtsp(rtspExchange(DAHUA_401)), library);
    expect(ids).toMatchObject([{ maker: 'dahua', serial: '4M0747EPAA1D284' }]);
    expect(fields(rtspExchange(DAHUA_DESCRIBE_200))).toEqual([['rtsp.sdp.session_name', 'Media Server']]);
  });

  it('reads both Axis challenges (Digest and Basic) as AXIS_<MAC> realms', () => {
    const obs = observeRtsp(rtspExchange(AXIS_401));
    expect(obs.map((o) => o.value)).toEqual(['AXIS_00408CFE6F45', 'AXIS_00408CFE6F45']);
    expect(new Set(identify(obs, library).map((i) => i.maker))).toEqual(new Set(['axis']));
  });

  it('names no maker for a streaming server that is not camera firmware (EasyDarwin relay, FFmpeg SDP)', () => {
    const obs = observeRtsp(rtspExchange(DARWIN_DESCRIBE));
    expect(obs.map((o) => o.field).sort()).toEqual([
      'rtsp.header.server',
      'rtsp.sdp.session_name',
      'rtsp.sdp.tool',
    ]);
    expect(obs.find((o) => o.field === 'rtsp.sdp.tool')?.value).toBe('libavformat 58.18.100');
    expect(identify(obs, library).filter((i) => i.maker)).toEqual([]);
  });

  it('is wired into observe() for the rtsp protocol, and ignores an HTTP answer', () => {
    expect(observe(rtspExchange(HIK_401)).map((o) => o.field)).toEqual(['rtsp.auth.realm']);
    expect(observeRtsp(rtspExchange('HTTP/1.1 200 OK\r\nServer: App-webs/\r\n\r\n'))).toEqual([]);
  });

  it('never throws, stays bounded and emits registered fields only, whatever the bytes', () => {
    const head = fc.constantFrom(
      'RTSP/1.0 200 OK\r\n',
      'RTSP/1.0 401 Unauthorized\r\n',
      '',
      'HTTP/1.1 200 OK\r\n',
    );
    const line = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.constantFrom(
        'Content-Type: application/sdp',
        'WWW-Authenticate: Digest realm="x", Basic realm="y"',
        'Public: A, B',
      ),
    );
    fc.assert(
      fc.property(
        head,
        fc.array(line, { maxLength: 300 }),
        fc.uint8Array({ maxLength: 2000 }),
        (h, lines, tail) => {
          const bytes = Buffer.concat([
            Buffer.from(`${h}${lines.join('\r\n')}\r\n\r\nv=0\r\n`),
            Buffer.from(tail),
          ]);
          expectBoundedObservations(observeRtsp(rtspExchange(bytes)), { count: 64, length: 512 });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('RTSP messages and the lab responder', () => {
  it('sends OPTIONS and DESCRIBE of the root with CSeq and no credentials', () => {
    const o = buildOptions('192.0.2.7', 554);
    const d = buildDescribe('192.0.2.7', 554);
    expect(o.startsWith('OPTIONS rtsp://192.0.2.7:554/ RTSP/1.0\r\nCSeq: 1\r\n')).toBe(true);
    expect(d.startsWith('DESCRIBE rtsp://192.0.2.7:554/ RTSP/1.0\r\nCSeq: 2\r\n')).toBe(true);
    expect(`${o}${d}`).not.toMatch(/authorization/i);
    expect(requestInfo('describe rtsp://x/ RTSP/1.0\r\ncseq: 42')).toEqual({
      method: 'DESCRIBE',
      cseq: '42',
    });
  });
});

describe('rtspProbe against the loopback lab', () => {
  const faults = ['hang', 'reset', 'split', 'garbage', 'oversize', 'duplicate'] as const;
  const lab = useFaultLab({
    base: BASE,
    protocol: 'rtsp',
    scope: (l) => [...l.targets, LOCAL],
    lineup: [
      { key: 'hikvision', persona: 'hikvision-ds-2cd2385g1' },
      { key: 'dahua', persona: 'dahua-ipc-hdw1025c' },
      { key: 'amcrest', persona: 'amcrest-ip2m-841b' },
      { key: 'axis', persona: 'axis-m2036-le' },
      ...faultLineup('hikvision-ds-2cd2385g1', faults),
    ],
  });
  const probe = lab.runner(rtspProbe, { timeoutMs: 4000, windowMs: 300, port: RTSP_PORT, service: 'rtsp' });

  async function run(key: string, overrides: RunOverrides = {}) {
    const r = await probe(key, overrides);
    return { ...r, ids: identify(r.observations, library) };
  }

  it('Hikvision: OPTIONS lists the methods, DESCRIBE names the realm, the maker is Hikvision', async () => {
    const r = await run('hikvision');
    expect(r.outcome.status).toBe('success');
    expect(r.exchanges.map((e) => e.request?.split(' ')[0])).toEqual(['OPTIONS', 'DESCRIBE']);
    expect(r.exchanges.every((e) => e.protocol === 'rtsp')).toBe(true);
    expect(r.observations.map((o) => [o.field, o.value])).toEqual([
      ['rtsp.public', 'OPTIONS, DESCRIBE, PLAY, PAUSE, SETUP, TEARDOWN, SET_PARAMETER, GET_PARAMETER'],
      ['rtsp.auth.realm', 'IP Camera(C2183)'],
    ]);
    expect(new Set(r.ids.map((i) => i.maker))).toEqual(new Set(['hikvision']));
  });

  it.each([
    ['dahua', 'Login to 2J0101FPAA9F3E2', 'dahua', undefined],
    ['amcrest', 'Login to Amcrest', 'dahua', 'amcrest'],
    ['axis', 'AXIS_B8A44F002036', 'axis', undefined],
  ])('%s: the 401 realm %s names maker %s', async (key, realm, maker, brand) => {
    const r = await run(key);
    expect(r.outcome.status).toBe('success');
    expect(r.observations.filter((o) => o.field === 'rtsp.auth.realm').map((o) => o.value)).toContain(realm);
    expect(r.ids.every((i) => i.maker === maker)).toBe(true);
    if (brand) expect(r.ids.some((i) => i.brand === brand)).toBe(true);
  });

  const realms = (r: ProbeRun) => r.observations.filter((o) => o.field === 'rtsp.auth.realm');
  faultMatrix(probe, [
    {
      name: 'hang: ends at the deadline as connection-timeout, nothing recorded',
      keys: 'hang',
      overrides: { timeoutMs: 800 },
      status: 'connection-timeout',
      exchanges: 0,
    },
    { name: 'reset: connection-reset', keys: 'reset', status: 'connection-reset' },
    {
      name: 'split writes: the same answers as in one piece',
      keys: 'split',
      status: 'success',
      check: (r) => expect(r.observations.map((o) => o.value)).toContain('IP Camera(C2183)'),
    },
    {
      name: 'garbage: protocol-mismatch, recorded, no observations',
      keys: 'garbage',
      status: 'protocol-mismatch',
      exchanges: 1,
      observations: 0,
    },
    {
      // A head that never ends within the cap is not an RTSP answer.
      name: 'oversize: the reader stops at its cap, the probe still ends',
      keys: 'oversize',
      status: 'protocol-error',
      check: (r) => {
        for (const ex of r.exchanges) expect(ex.response.length).toBeLessThan(64 * 1024);
      },
    },
    {
      name: 'duplicate reply: the first answer counts, once',
      keys: 'duplicate',
      status: 'success',
      check: (r) => expect(realms(r)).toHaveLength(1),
    },
  ]);

  describe('test-local servers', () => {
    /** Each key is how the local server answers the probe's first request. */
    const SCRIPTS: Record<string, (socket: Socket) => void> = {
      'foreign-cseq': (s) => s.end('RTSP/1.0 200 OK\r\nCSeq: 7\r\nServer: Rtsp Server/3.0\r\n\r\n'),
      http: (s) => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'),
      silent: (s) => s.end(),
    };
    let behaviour: (socket: Socket) => void = () => {};
    const local = useLocalServer(LOCAL, (socket) => socket.once('data', () => behaviour(socket)));
    const scripted = (key: string) => {
      const script = SCRIPTS[key];
      if (!script) throw new Error(`no script ${key}`);
      behaviour = script;
      return probe(LOCAL, { port: local.port });
    };

    faultMatrix(scripted, [
      {
        name: 'a CSeq that is not ours is a protocol error',
        keys: 'foreign-cseq',
        status: 'protocol-error',
        detail: /CSeq 7/,
      },
      {
        name: 'an HTTP server on the RTSP port is a protocol mismatch',
        keys: 'http',
        status: 'protocol-mismatch',
      },
      { name: 'a server that closes without a word: no-response', keys: 'silent', status: 'no-response' },
    ]);
  });
});
