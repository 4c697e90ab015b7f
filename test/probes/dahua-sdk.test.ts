/**
 * Dahua DVRIP realm read (TCP 37777): the exact bytes sent (no credentials), the pure parser on
 * real published replies, hostile input (property-based), and the probe against the loopback lab
 * with each fault. Addresses: 127.78.25.0/24 – 127.78.26.0/24 only.
 */
import { createServer, type Server, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Exchange, encodeResponse, responseBytes } from '../../src/core/exchange.ts';
import { createScopeGuard } from '../../src/engine/scope.ts';
import { buildTargetSet } from '../../src/engine/targets.ts';
import { identify } from '../../src/fingerprints/identify.ts';
import { loadLibrary } from '../../src/fingerprints/load.ts';
import { startPersona } from '../../src/lab/services.ts';
import { isField } from '../../src/observations/fields.ts';
import { observe } from '../../src/observations/observe.ts';
import { frameRealmReply, REALM_REQUEST } from '../../src/probes/dahua-sdk/message.ts';
import { observeSdk, parseRealmReply } from '../../src/probes/dahua-sdk/parse.ts';
import { dahuaSdkRealmProbe } from '../../src/probes/dahua-sdk/probe.ts';
import { SERVICE_PROBES } from '../../src/probes/index.ts';
import { faultLineup, faultMatrix } from '../helpers/fault-matrix.ts';
import { persona, probeContext, useFaultLab } from '../helpers/probe-lab.ts';

/** Reply body of a live device (Go test "Real capture from a live device", public code search id 54841098109). */
const REAL_BODY = 'Realm:Login to 18038F6DBFE666A3\r\nRandom:166042717d\r\n\r\n';
const BASE = '127.78.25.10';

function exchangeOf(bytes: Buffer, host = BASE): Exchange {
  return {
    type: 'exchange',
    host,
    port: 37777,
    transport: 'tcp',
    protocol: 'sdk',
    probe: 'dahua-sdk-realm',
    request: REALM_REQUEST.toString('latin1'),
    ...encodeResponse(bytes),
  };
}

describe('the realm request', () => {
  it('is exactly the documented 32 bytes and nothing else (no user name, no password)', () => {
    expect(REALM_REQUEST.toString('hex')).toBe(`a0010000${'00'.repeat(20)}050201010000a1aa`);
  });

  it('runs on every dahua-sdk port the sweep finds open', () => {
    const p = SERVICE_PROBES.find((x) => x.id === 'dahua-sdk-realm');
    expect(p?.services).toEqual(['dahua-sdk']);
    expect(p?.protocol).toBe('sdk');
  });
});

describe('parseRealmReply / observeSdk', () => {
  it('a live device’s reply: the realm, and the random challenge kept out of the observations', () => {
    const bytes = frameRealmReply(REAL_BODY);
    expect(parseRealmReply(bytes)).toEqual({
      ok: true,
      realm: 'Login to 18038F6DBFE666A3',
      random: '166042717d',
    });
    const obs = observeSdk(exchangeOf(bytes));
    expect(obs.map((o) => [o.field, o.value])).toEqual([['sdk.realm', 'Login to 18038F6DBFE666A3']]);
    expect(observe(exchangeOf(bytes))).toEqual(obs);
  });

  it('the realm names Dahua (and Amcrest for "Login to Amcrest") through the fingerprints', () => {
    const lib = loadLibrary();
    const ids = (value: string) =>
      identify([{ type: 'observation', host: BASE, field: 'sdk.realm', value }], lib);
    expect(ids('Login to 18038F6DBFE666A3')[0]).toMatchObject({ maker: 'dahua' });
    expect(ids('Login to Amcrest')[0]).toMatchObject({ maker: 'dahua', brand: 'amcrest' });
  });

  it('a length field larger than what arrived, NULs after the lines: still the realm', () => {
    const bytes = frameRealmReply('Realm:Login to Amcrest\r\nRandom:42\r\n\0\0');
    bytes.writeUInt32LE(10_000, 4);
    expect(parseRealmReply(bytes)).toMatchObject({ ok: true, realm: 'Login to Amcrest' });
  });

  it('not DVRIP, too short, or a DVRIP reply without a realm', () => {
    expect(parseRealmReply(Buffer.alloc(0))).toEqual({ ok: false, reason: 'empty' });
    expect(parseRealmReply(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'))).toEqual({
      ok: false,
      reason: 'not-dvrip',
    });
    expect(parseRealmReply(Buffer.from([0xb0, 0, 0, 0]))).toEqual({ ok: false, reason: 'not-dvrip' });
    expect(parseRealmReply(frameRealmReply('Hello\r\n'))).toEqual({ ok: false, reason: 'no-realm' });
    expect(observeSdk(exchangeOf(Buffer.from('garbage')))).toEqual([]);
  });

  it('property: never throws, at most one registered observation of bounded, printable text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
          fc.string({ maxLength: 400 }).map((s) => frameRealmReply(`Realm:${s}\r\nRandom:${s}\r\n`)),
          fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.concat([Buffer.from([0xb0]), Buffer.from(a)])),
        ),
        (bytes) => {
          const obs = observeSdk(exchangeOf(bytes));
          expect(obs.length).toBeLessThanOrEqual(1);
          for (const o of obs) {
            expect(isField(o.field)).toBe(true);
            expect(o.value.length).toBeLessThanOrEqual(256);
            expect(/^[\x20-\x7e]+$/.test(o.value)).toBe(true);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('dahua-sdk-realm against the loopback lab', () => {
  const dahua = persona('dahua-ipc-hdw1025c');
  const faults = ['hang', 'reset', 'split', 'garbage', 'oversize', 'duplicate'] as const;
  const lab = useFaultLab({
    base: BASE,
    protocol: 'sdk',
    lineup: [
      { key: 'dahua', persona: dahua },
      { key: 'amcrest', persona: 'amcrest-ip2m-841b' },
      ...faultLineup(dahua, faults),
    ],
  });
  const run = lab.runner(dahuaSdkRealmProbe, {
    observe: observeSdk,
    timeoutMs: 3000,
    windowMs: 300,
    port: 37777,
    service: 'dahua-sdk',
  });
  const realms = (exchanges: Exchange[]) => exchanges.flatMap(observeSdk).map((o) => o.value);

  it('the Dahua persona names its serial realm; the Amcrest persona "Login to Amcrest"', async () => {
    const d = await run('dahua');
    expect(d.outcome.status).toBe('success');
    expect(realms(d.exchanges)).toEqual(['Login to 2J0101FPAA9F3E2']);
    const a = await run('amcrest');
    expect(a.outcome.status).toBe('success');
    expect(realms(a.exchanges)).toEqual(['Login to Amcrest']);
  });

  it('the responder takes over TCP 37777 and reports it for the printed scan command', async () => {
    const running = await startPersona(dahua, '127.78.26.10', { mode: 'loopback', wsdPort: 3702 });
    try {
      expect(running.tcpPorts).toContain(37777);
    } finally {
      await running.close();
    }
  });

  const DAHUA_REALM = ['Login to 2J0101FPAA9F3E2'];
  faultMatrix(run, [
    {
      name: 'hang: connection-timeout at the deadline, never a hang',
      keys: 'hang',
      overrides: { timeoutMs: 1500 },
      status: 'connection-timeout',
    },
    { name: 'reset: connection-reset', keys: 'reset', status: 'connection-reset' },
    {
      name: 'split writes (header, then the lines 150 ms later): the realm',
      keys: 'split',
      status: 'success',
      check: ({ exchanges }) => expect(realms(exchanges)).toEqual(DAHUA_REALM),
    },
    {
      name: 'garbage: protocol-mismatch, no realm',
      keys: 'garbage',
      status: 'protocol-mismatch',
      check: ({ exchanges }) => expect(realms(exchanges)).toEqual([]),
    },
    {
      name: 'oversize (1 MB after the header): at most 2 KiB kept, no realm',
      keys: 'oversize',
      status: 'protocol-error',
      check: ({ exchanges }) => {
        const ex = exchanges[0];
        expect(ex).toBeDefined();
        if (ex) expect(responseBytes(ex).length).toBeLessThanOrEqual(2048);
      },
    },
    {
      name: 'duplicate reply: one realm',
      keys: 'duplicate',
      status: 'success',
      check: ({ exchanges }) => expect(realms(exchanges)).toEqual(DAHUA_REALM),
    },
  ]);
});

describe('what a device sees', () => {
  const HOST = '127.78.26.20';
  let server: Server;
  const received: Buffer[] = [];
  const open = new Set<Socket>();
  beforeAll(async () => {
    server = createServer((s) => {
      open.add(s);
      s.on('error', () => {});
      s.on('data', (d: Buffer) => {
        received.push(d);
        s.write(frameRealmReply(REAL_BODY));
      });
    });
    await new Promise<void>((r) => server.listen(37777, HOST, r));
  });
  afterAll(async () => {
    for (const s of open) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('only the 32-byte realm request: no login frame follows the challenge', async () => {
    const guard = createScopeGuard(await buildTargetSet({ targets: [HOST] }));
    const outcome = await dahuaSdkRealmProbe.run(
      { host: HOST, port: 37777 },
      probeContext(guard, () => {}, { timeoutMs: 3000, windowMs: 300 }),
    );
    expect(outcome.status).toBe('success');
    expect(Buffer.concat(received).equals(REALM_REQUEST)).toBe(true);
  });
});
