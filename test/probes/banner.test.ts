/**
 * Telnet and FTP greeting probes. No lab persona has real telnet/FTP evidence (Hikvision ships
 * telnetd off), so these run against test-local servers on 127.78.42.1 that send real published
 * greetings: Hikvision's "dvrdvs login:" prompt and vsftpd's "220 (vsFTPd 3.0.3)".
 */
import { createServer, type Server, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Exchange, encodeResponse } from '../../src/core/exchange.ts';
import { PROBE_STATUSES } from '../../src/core/status.ts';
import { createScopeGuard, type ScopeGuard } from '../../src/engine/scope.ts';
import { buildTargetSet } from '../../src/engine/targets.ts';
import { identify } from '../../src/fingerprints/identify.ts';
import { loadLibrary } from '../../src/fingerprints/load.ts';
import { isField } from '../../src/observations/fields.ts';
import { observe } from '../../src/observations/observe.ts';
import {
  bannerLines,
  MAX_LINE_CHARS,
  MAX_LINES,
  observeFtp,
  observeTelnet,
  stripTelnet,
} from '../../src/probes/banner/parse.ts';
import { ftpBannerProbe, telnetBannerProbe } from '../../src/probes/banner/probe.ts';
import { DEFAULT_SETTINGS } from '../../src/probes/settings.ts';
import type { ProbeContext, ServiceProbe } from '../../src/probes/types.ts';

const LOCAL = '127.78.42.1';
const library = loadLibrary();
const IAC = 255;
/** IAC WILL ECHO, IAC WILL SUPPRESS-GO-AHEAD, IAC DO NAWS: a typical telnetd opening. */
const NEGOTIATION = Buffer.from([IAC, 251, 1, IAC, 251, 3, IAC, 253, 31]);
const HIK_PROMPT = Buffer.concat([NEGOTIATION, Buffer.from('\r\ndvrdvs login: ')]);
const VSFTPD = Buffer.from('220 (vsFTPd 3.0.3)\r\n');

function ex(protocol: 'telnet' | 'ftp', bytes: Buffer): Exchange {
  return {
    type: 'exchange',
    host: '192.0.2.1',
    port: protocol === 'ftp' ? 21 : 23,
    transport: 'tcp',
    protocol,
    ...encodeResponse(bytes),
  };
}

describe('banner parsers', () => {
  it('strips telnet negotiation (incl. subnegotiation and IAC IAC) and keeps the prompt', () => {
    expect(stripTelnet(HIK_PROMPT).toString('latin1')).toBe('\r\ndvrdvs login: ');
    const sb = Buffer.from([IAC, 250, 24, 1, IAC, 240, 0x41, IAC, IAC, 0x42, IAC]);
    expect([...stripTelnet(sb)]).toEqual([0x41, 255, 0x42]);
  });

  it('the Hikvision telnet prompt names Hikvision; vsftpd names no maker', () => {
    const telnet = observeTelnet(ex('telnet', HIK_PROMPT));
    expect(telnet.map((o) => [o.field, o.value])).toEqual([['telnet.banner', 'dvrdvs login:']]);
    expect(identify(telnet, library).map((i) => i.maker)).toEqual(['hikvision']);
    const ftp = observe(ex('ftp', VSFTPD));
    expect(ftp.map((o) => [o.field, o.value])).toEqual([['ftp.banner', '220 (vsFTPd 3.0.3)']]);
    expect(identify(ftp, library).filter((i) => i.maker)).toEqual([]);
  });

  it('an FTP port that does not greet with a reply code yields no ftp.banner', () => {
    expect(observeFtp(ex('ftp', Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')))).toEqual([]);
  });

  it('multi-line greetings become one observation per line, capped', () => {
    const many = Buffer.from(
      Array.from({ length: 50 }, (_, i) => `220-line ${i} ${'x'.repeat(400)}`).join('\r\n'),
    );
    const lines = bannerLines(many);
    expect(lines).toHaveLength(MAX_LINES);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(MAX_LINE_CHARS);
  });

  it('never throws, bounded, registered fields only, for any bytes (invalid UTF-8 included)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.boolean(), (bytes, asFtp) => {
        const buf = Buffer.from(bytes);
        const obs = asFtp
          ? observeFtp(ex('ftp', Buffer.concat([Buffer.from('220 '), buf])))
          : observeTelnet(ex('telnet', buf));
        expect(obs.length).toBeLessThanOrEqual(MAX_LINES);
        for (const o of obs) {
          expect(isField(o.field)).toBe(true);
          expect(Array.from(o.value).length).toBeLessThanOrEqual(MAX_LINE_CHARS);
          // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting none survive
          expect(o.value).not.toMatch(/[\u0000-\u001f]/);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('telnet and FTP probes against test-local servers', () => {
  let server: Server;
  let port = 0;
  let guard: ScopeGuard;
  let behaviour: (socket: Socket) => void = () => {};
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, f: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      f();
    }, ms);
    timers.add(t);
  };

  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      behaviour(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, LOCAL, () => resolve()));
    const a = server.address();
    port = typeof a === 'object' && a ? a.port : 0;
    guard = createScopeGuard(await buildTargetSet({ targets: [LOCAL] }));
  });
  afterAll(async () => {
    for (const t of timers) clearTimeout(t);
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function run(probe: ServiceProbe, deadlineMs = 4000) {
    const exchanges: Exchange[] = [];
    const ctx: ProbeContext = {
      signal: AbortSignal.timeout(deadlineMs),
      guard,
      record: (e) => exchanges.push(e),
      wsdPort: 3702,
      udpWindowMs: 300,
      settings: DEFAULT_SETTINGS,
    };
    const outcome = await probe.run({ host: LOCAL, port }, ctx);
    expect(PROBE_STATUSES).toContain(outcome.status);
    const observations = exchanges.flatMap(observe);
    return { outcome, exchanges, observations };
  }

  it('telnet: negotiation, then the prompt in a later write; we send nothing', async () => {
    const received: Buffer[] = [];
    behaviour = (s) => {
      s.on('data', (d) => received.push(d));
      s.write(NEGOTIATION);
      later(50, () => s.write('\r\ndvrdvs login: '));
    };
    const r = await run(telnetBannerProbe);
    expect(r.outcome.status).toBe('success');
    expect(r.observations.map((o) => o.value)).toEqual(['dvrdvs login:']);
    expect(r.exchanges[0]?.request).toBeUndefined();
    expect(Buffer.concat(received).length).toBe(0);
  });

  it('ftp: the vsftpd greeting; split into pieces it reads the same', async () => {
    behaviour = (s) => s.write(VSFTPD);
    expect((await run(ftpBannerProbe)).observations.map((o) => o.value)).toEqual(['220 (vsFTPd 3.0.3)']);
    behaviour = (s) => {
      s.write(VSFTPD.subarray(0, 5));
      later(30, () => s.write(VSFTPD.subarray(5)));
    };
    expect((await run(ftpBannerProbe)).observations.map((o) => o.value)).toEqual(['220 (vsFTPd 3.0.3)']);
  });

  it('duplicate greeting: two lines, both kept, nothing else', async () => {
    behaviour = (s) => s.write(Buffer.concat([VSFTPD, VSFTPD]));
    const r = await run(ftpBannerProbe);
    expect(r.outcome.status).toBe('success');
    expect(r.observations.map((o) => o.value)).toEqual(['220 (vsFTPd 3.0.3)', '220 (vsFTPd 3.0.3)']);
  });

  it('hang (a silent port): no-response within the greeting window, nothing recorded', async () => {
    behaviour = () => {};
    const r = await run(telnetBannerProbe);
    expect(r.outcome.status).toBe('no-response');
    expect(r.exchanges).toEqual([]);
  });

  it('the probe deadline still wins over the greeting window', async () => {
    behaviour = () => {};
    expect((await run(ftpBannerProbe, 300)).outcome.status).toBe('connection-timeout');
  });

  it('reset: connection-reset', async () => {
    behaviour = (s) => s.resetAndDestroy();
    expect((await run(ftpBannerProbe)).outcome.status).toBe('connection-reset');
  });

  it('garbage on the FTP port: protocol-mismatch, recorded, no ftp.banner', async () => {
    behaviour = (s) => s.end(Buffer.from([0x00, 0xff, 0x13, 0x37, 0xde, 0xad]));
    const r = await run(ftpBannerProbe);
    expect(r.outcome.status).toBe('protocol-mismatch');
    expect(r.exchanges).toHaveLength(1);
    expect(r.observations).toEqual([]);
  });

  it('oversize: an endless greeting is cut at the byte cap', async () => {
    behaviour = (s) => s.write(`220 ${'A'.repeat(1024 * 1024)}`);
    const r = await run(ftpBannerProbe);
    expect(r.outcome.status).toBe('success');
    expect(Buffer.from(r.exchanges[0]?.response ?? '').length).toBeLessThanOrEqual(4096);
  });
});
