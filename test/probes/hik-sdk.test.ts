/**
 * The Hikvision SDK-port listener (TCP 8000): it sends nothing and records only what the device
 * volunteers. The lab's Hikvision persona keeps 8000 open and silent (a bare connect gets nothing
 * from real units), so it must yield no observation. Addresses: 127.78.43.0/24 (lab), 127.78.44.1.
 */
import type { Socket } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Exchange, encodeResponse } from '../../src/core/exchange.ts';
import { isField } from '../../src/observations/fields.ts';
import { observe } from '../../src/observations/observe.ts';
import { observeSdkBanner, SDK_BANNER_BYTES } from '../../src/probes/hik-sdk/parse.ts';
import { hikSdkProbe } from '../../src/probes/hik-sdk/probe.ts';
import { faultMatrix } from '../helpers/fault-matrix.ts';
import { useLocalServer } from '../helpers/local-server.ts';
import { type ProbeRun, type RunOverrides, useFaultLab } from '../helpers/probe-lab.ts';

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
  let behaviour: (s: Socket) => void = () => {};
  let received = 0;
  const local = useLocalServer(LOCAL, (s) => {
    s.on('data', (d) => {
      received += d.length;
    });
    behaviour(s);
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
    const r = await run(LOCAL, { port: local.port });
    expect(r.outcome.status).toBe('success');
    expect(r.observations.map((o) => [o.field, o.value])).toEqual([
      ['sdk.banner', '000000100000001e0000001e00000000'],
    ]);
    expect(received).toBe(0);
  });

  /** The faults the local server plays, by key; the lab persona has no SDK-port faults. */
  const SCRIPTS: Record<string, (s: Socket) => void> = {
    reset: (s) => s.resetAndDestroy(),
    oversize: (s) => s.write(Buffer.alloc(1024 * 1024, 0x41)),
    'split-duplicate': (s) => {
      s.write(Buffer.from([1, 2]));
      setTimeout(() => s.writable && s.write(Buffer.from([1, 2])), 30);
    },
    garbage: (s) => s.end(Buffer.from([0xff, 0xfe, 0x00])),
    hang: () => {},
  };
  const scripted = (key: string, overrides: RunOverrides = {}) => {
    const script = SCRIPTS[key];
    if (!script) throw new Error(`no script ${key}`);
    behaviour = script;
    return run(LOCAL, { port: local.port, ...overrides });
  };
  const hexValues = (r: ProbeRun) => r.observations.map((o) => o.value);

  faultMatrix(scripted, [
    { name: 'reset: connection-reset', keys: 'reset', status: 'connection-reset' },
    {
      name: 'oversize: capped',
      keys: 'oversize',
      status: 'success',
      check: (big) => expect(Buffer.from(big.exchanges[0]?.response ?? '').length).toBeLessThanOrEqual(1024),
    },
    {
      name: 'split and duplicate: all bytes kept',
      keys: 'split-duplicate',
      status: 'success',
      check: (r) => expect(hexValues(r)).toEqual(['01020102']),
    },
    {
      name: 'garbage is just bytes here (no protocol to mismatch): recorded as hex',
      keys: 'garbage',
      status: 'success',
      check: (r) => expect(hexValues(r)).toEqual(['fffe00']),
    },
    {
      name: 'a hang ends at the probe deadline if it is shorter than the window',
      keys: 'hang',
      overrides: { timeoutMs: 300 },
      status: 'connection-timeout',
    },
  ]);
});
