/**
 * The Hikvision SDK-port listener (TCP 8000): it sends nothing and records only what the device
 * volunteers. The lab's Hikvision persona keeps 8000 open and silent (a bare connect gets nothing
 * from real units), so it must yield no observation. Addresses: 127.78.43.0/24 (lab), 127.78.44.1.
 */
import { createServer, type Server, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Exchange, encodeResponse } from '../../src/core/exchange.ts';
import { isField } from '../../src/observations/fields.ts';
import { observe } from '../../src/observations/observe.ts';
import { observeSdkBanner, SDK_BANNER_BYTES } from '../../src/probes/hik-sdk/parse.ts';
import { hikSdkProbe } from '../../src/probes/hik-sdk/probe.ts';
import { useFaultLab } from '../helpers/probe-lab.ts';

const BASE = '127.78.43.10';
const LOCAL = '127.78.44.1';

function sdkExchange(bytes: Buffer, request?: string): Exchange {
  return {
    type: 'exchange',
    host: '192.0.2.1',
    port: 8000,
    transport: 'tcp',
    protocol: 'sdk',
    ...(request !== undefined ? { request } : {}),
    ...encodeResponse(bytes),
  };
}

describe('sdk.banner parser', () => {
  it('shows volunteered bytes as hex, and only when we sent nothing', () => {
    const bytes = Buffer.from([0, 0, 0, 0x10, 0, 0, 0, 0x1e]);
    expect(observeSdkBanner(sdkExchange(bytes)).map((o) => o.value)).toEqual(['000000100000001e']);
    expect(observeSdkBanner(sdkExchange(bytes, 'a request'))).toEqual([]);
    expect(observe(sdkExchange(Buffer.alloc(0)))).toEqual([]);
  });

  it('never throws, at most one bounded observation, registered field', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4000 }), (bytes) => {
        const obs = observeSdkBanner(sdkExchange(Buffer.from(bytes)));
        expect(obs.length).toBeLessThanOrEqual(1);
        for (const o of obs) {
          expect(isField(o.field)).toBe(true);
          expect(o.value.length).toBeLessThanOrEqual(SDK_BANNER_BYTES * 2);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('hikSdkProbe', () => {
  let server: Server;
  let localPort = 0;
  let behaviour: (s: Socket) => void = () => {};
  let received = 0;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    server = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
      s.on('data', (d) => {
        received += d.length;
      });
      behaviour(s);
    });
    await new Promise<void>((resolve) => server.listen(0, LOCAL, () => resolve()));
    const a = server.address();
    localPort = typeof a === 'object' && a ? a.port : 0;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const lab = useFaultLab({
    base: BASE,
    scope: (l) => [...l.targets, LOCAL],
    lineup: [{ key: 'hikvision', persona: 'hikvision-ds-2cd2385g1' }],
  });
  const run = lab.runner(hikSdkProbe, { timeoutMs: 4000, windowMs: 300, service: 'hik-sdk' });

  it('the Hikvision persona says nothing on 8000: no-response, nothing recorded, nothing inferred', async () => {
    const r = await run('hikvision', { port: 8000 });
    expect(r.outcome.status).toBe('no-response');
    expect(r.exchanges).toEqual([]);
  });

  it('bytes a device volunteers are recorded as sdk.banner; we never write a byte', async () => {
    received = 0;
    behaviour = (s) => s.write(Buffer.from([0, 0, 0, 0x10, 0, 0, 0, 0x1e, 0, 0, 0, 0x1e, 0, 0, 0, 0]));
    const r = await run(LOCAL, { port: localPort });
    expect(r.outcome.status).toBe('success');
    expect(r.observations.map((o) => [o.field, o.value])).toEqual([
      ['sdk.banner', '000000100000001e0000001e00000000'],
    ]);
    expect(received).toBe(0);
  });

  it('reset: connection-reset; oversize: capped; split and duplicate: all bytes kept', async () => {
    behaviour = (s) => s.resetAndDestroy();
    expect((await run(LOCAL, { port: localPort })).outcome.status).toBe('connection-reset');
    behaviour = (s) => s.write(Buffer.alloc(1024 * 1024, 0x41));
    const big = await run(LOCAL, { port: localPort });
    expect(big.outcome.status).toBe('success');
    expect(Buffer.from(big.exchanges[0]?.response ?? '').length).toBeLessThanOrEqual(1024);
    behaviour = (s) => {
      s.write(Buffer.from([1, 2]));
      setTimeout(() => s.writable && s.write(Buffer.from([1, 2])), 30);
    };
    expect((await run(LOCAL, { port: localPort })).observations.map((o) => o.value)).toEqual(['01020102']);
  });

  it('garbage is just bytes here (no protocol to mismatch): recorded as hex', async () => {
    behaviour = (s) => s.end(Buffer.from([0xff, 0xfe, 0x00]));
    expect((await run(LOCAL, { port: localPort })).observations.map((o) => o.value)).toEqual(['fffe00']);
  });

  it('a hang ends at the probe deadline if it is shorter than the window', async () => {
    behaviour = () => {};
    expect((await run(LOCAL, { port: localPort, timeoutMs: 300 })).outcome.status).toBe('connection-timeout');
  });
});
