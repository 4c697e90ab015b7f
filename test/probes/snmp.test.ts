/**
 * SNMP v2c, opt-in: the BER GetRequest we send, the GetResponse parser on real published values and
 * hostile bytes (property), the probe against the loopback lab's Hikvision and Axis agents (right
 * and wrong community, faults), a test-local agent for replies from the wrong address or to another
 * request, and the CLI: a default sweep sends no SNMP datagram at all.
 * Addresses: 127.78.54.0/24 – 127.78.57.0/24 only.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../src/cli/knowledge.ts';
import { type Exchange, encodeResponse, responseBytes } from '../../src/core/exchange.ts';
import { createScopeGuard } from '../../src/engine/scope.ts';
import { buildTargetSet } from '../../src/engine/targets.ts';
import { buildGetResponse, type SnmpValue } from '../../src/lab/responders/snmp.ts';
import { isField } from '../../src/observations/fields.ts';
import { analyse } from '../../src/pipeline/analyse.ts';
import { DEFAULT_SETTINGS } from '../../src/probes/settings.ts';
import { buildGetRequest, encodeOid, SNMP_OIDS, TAG } from '../../src/probes/snmp/message.ts';
import { decodeOid, observeSnmp, parseSnmpMessage, redactCommunity } from '../../src/probes/snmp/parse.ts';
import { snmpProbe } from '../../src/probes/snmp/probe.ts';
import type { ProbeSettings } from '../../src/probes/types.ts';
import { runCli } from '../helpers/cli.ts';
import { faultLineup, faultMatrix } from '../helpers/fault-matrix.ts';
import { probeContext, type Runner, useFaultLab } from '../helpers/probe-lab.ts';

const OIDS = Object.values(SNMP_OIDS);

function exchangeOf(bytes: Buffer): Exchange {
  return {
    type: 'exchange',
    host: '127.78.54.1',
    port: 161,
    transport: 'udp',
    protocol: 'snmp',
    probe: 'snmp',
    ...encodeResponse(bytes),
  };
}
const valuesOf = (obs: { field: string; value: string }[], field: string) =>
  obs.filter((o) => o.field === field).map((o) => o.value);

// Real values (librenms tests/snmpsim): a Hikvision NVR, a Hikvision camera, an AXIS P5534-E.
const HIK_NVR: Record<string, SnmpValue> = {
  '1.3.6.1.2.1.1.1.0': { type: 'string', value: 'Hikvision company products' },
  '1.3.6.1.2.1.1.2.0': { type: 'oid', value: '1.3.6.1.4.1.50001' },
};
const HIK_CAM: Record<string, SnmpValue> = {
  '1.3.6.1.4.1.39165.1.1.0': { type: 'string', value: 'DS-2CD2185FWD-I' },
};
const AXIS_P5534: Record<string, SnmpValue> = {
  '1.3.6.1.2.1.1.1.0': {
    type: 'string',
    value: '; AXIS P5534-E; PTZ Dome Network Camera; 5.40.9.2; May 15 2012 09:50; 188.1; 1;',
  },
  '1.3.6.1.2.1.1.2.0': { type: 'oid', value: '1.3.6.1.4.1.368' },
};

// ---------------------------------------------------------------------------------------------

describe('the GetRequest (message.ts)', () => {
  it('encodes the well-known sysDescr.0 OID and a multi-byte arc', () => {
    expect(encodeOid('1.3.6.1.2.1.1.1.0').toString('hex')).toBe('06082b06010201010100');
    // 39165 = 2·128² + 49·128 + 125 → 0x82 0xb1 0x7d
    expect(encodeOid('1.3.6.1.4.1.39165.1.1.0').toString('hex')).toBe('060b2b0601040182b17d010100');
  });

  it('is a v2c GetRequest with our community, request-id and the four OIDs, NULL values', () => {
    const bytes = buildGetRequest('my-community', 0x1234abcd, OIDS);
    expect(bytes[0]).toBe(0x30);
    const parsed = parseSnmpMessage(bytes);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.message).toMatchObject({
      version: 1,
      pduTag: TAG.GET_REQUEST,
      requestId: 0x1234abcd,
      errorStatus: 0,
      errorIndex: 0,
    });
    expect(parsed.message.community.toString()).toBe('my-community');
    expect(parsed.message.varbinds.map((v) => [v.oid, v.tag])).toEqual(OIDS.map((o) => [o, TAG.NULL]));
  });

  it('OIDs round-trip through encode and decode (property)', () => {
    const arc = fc.integer({ min: 0, max: 0xffff_ffff });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 39 }),
        fc.array(arc, { maxLength: 20 }),
        (a, b, rest) => {
          const oid = [a, b, ...rest].join('.');
          expect(decodeOid(encodeOid(oid).subarray(2))).toBe(oid);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the GetResponse parser on real published values', () => {
  it('Hikvision NVR: sysDescr "Hikvision company products", sysObjectID .50001 → hikvision recorder', () => {
    const obs = observeSnmp(exchangeOf(buildGetResponse('[redacted]', 7, OIDS, HIK_NVR)));
    expect(valuesOf(obs, 'snmp.sys_descr')).toEqual(['Hikvision company products']);
    expect(valuesOf(obs, 'snmp.sys_object_id')).toEqual(['1.3.6.1.4.1.50001']);
    expect(valuesOf(obs, 'snmp.sys_name')).toEqual([]); // noSuchObject is no value
    const [device] = analyse(obs, loadKnowledge(undefined)).devices;
    expect(device).toMatchObject({ maker: 'hikvision', deviceType: 'recorder' });
  });

  it('Hikvision camera: empty system group, the model under 39165 → hikvision + model', () => {
    const obs = observeSnmp(exchangeOf(buildGetResponse('[redacted]', 7, OIDS, HIK_CAM)));
    expect(obs.map((o) => [o.field, o.value])).toEqual([['snmp.hikvision.model', 'DS-2CD2185FWD-I']]);
    const [device] = analyse(obs, loadKnowledge(undefined)).devices;
    expect(device).toMatchObject({ maker: 'hikvision', model: 'DS-2CD2185FWD-I' });
  });

  it('AXIS P5534-E: the positional sysDescr names model and firmware', () => {
    const obs = observeSnmp(exchangeOf(buildGetResponse('[redacted]', 7, OIDS, AXIS_P5534)));
    const [device] = analyse(obs, loadKnowledge(undefined)).devices;
    expect(device).toMatchObject({ maker: 'axis', model: 'P5534-E', firmware: '5.40.9.2' });
  });

  it('a GetRequest, or bytes that are no SNMP, give no observations', () => {
    expect(observeSnmp(exchangeOf(buildGetRequest('c', 1, OIDS)))).toEqual([]);
    expect(observeSnmp(exchangeOf(Buffer.from('HTTP/1.1 200 OK\r\n\r\n')))).toEqual([]);
  });

  it('the community of a recorded reply is replaced; the varbinds stay readable', () => {
    const reply = buildGetResponse('s3cret-community', 9, OIDS, AXIS_P5534);
    const recorded = redactCommunity(reply, 's3cret-community');
    expect(recorded.includes(Buffer.from('s3cret-community'))).toBe(false);
    const parsed = parseSnmpMessage(recorded);
    expect(parsed.ok && parsed.message.community.toString()).toBe('[redacted]');
    expect(valuesOf(observeSnmp(exchangeOf(recorded)), 'snmp.sys_object_id')).toEqual(['1.3.6.1.4.1.368']);
    // Not SNMP at all: every occurrence is masked instead.
    const junk = Buffer.from('xx s3cret-community yy s3cret-community');
    expect(redactCommunity(junk, 's3cret-community').toString()).not.toContain('s3cret');
  });
});

describe('hostile replies (property)', () => {
  const checkObs = (bytes: Buffer) => {
    for (const o of observeSnmp(exchangeOf(bytes))) {
      expect(isField(o.field), o.field).toBe(true);
      expect(o.value.length).toBeLessThanOrEqual(512);
    }
    const p = parseSnmpMessage(bytes);
    if (p.ok) expect(p.message.varbinds.length).toBeLessThanOrEqual(32);
  };

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => checkObs(Buffer.from(b))),
      { numRuns: 1000 },
    );
  });

  it('never throws on corrupted, truncated or extended real replies', () => {
    const base = buildGetResponse('[redacted]', 5, OIDS, AXIS_P5534);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat(base.length),
        fc.uint8Array({ maxLength: 40 }),
        (flips, cut, tail) => {
          const b = Buffer.from(base);
          for (const [i, v] of flips) b[i] = v;
          checkObs(Buffer.concat([b.subarray(0, cut), Buffer.from(tail)]));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('lengths that lie, indefinite lengths and 4 GiB claims are refused, not followed', () => {
    for (const hex of ['3084ffffffff020101', '3080020101', '30', '300502010104ff', '3003020101a2']) {
      expect(parseSnmpMessage(Buffer.from(hex, 'hex')).ok, hex).toBe(false);
    }
  });

  it('a sysDescr of 60,000 bytes and invalid UTF-8 are bounded and decoded', () => {
    const big = buildGetResponse('c', 1, OIDS, {
      [SNMP_OIDS.sysDescr]: { type: 'string', value: 'A'.repeat(60_000) },
    });
    expect(valuesOf(observeSnmp(exchangeOf(big)), 'snmp.sys_descr')[0]?.length).toBeLessThanOrEqual(512);
    const bad = Buffer.from(
      buildGetResponse('c', 1, [SNMP_OIDS.sysName], { [SNMP_OIDS.sysName]: { type: 'string', value: 'ab' } }),
    );
    bad[bad.length - 2] = 0xc3; // 'a' → the first byte of a two-byte sequence, followed by 'b'
    expect(valuesOf(observeSnmp(exchangeOf(bad)), 'snmp.sys_name')).toEqual(['\ufffdb']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('snmpProbe against the loopback lab', () => {
  const lab = useFaultLab({
    base: '127.78.55.10',
    protocol: 'snmp',
    lineup: [
      { key: 'hik', persona: 'hikvision-ds-2cd2385g1' },
      { key: 'axis', persona: 'axis-m2036' },
      ...faultLineup('axis-m2036', ['garbage', 'oversize', 'duplicate', 'flood', 'hang']),
    ],
  });
  const run = lab.runner(snmpProbe, { observe: observeSnmp, timeoutMs: 4000, windowMs: 600 });

  function probe(key: string, community: string | undefined, timeoutMs = 4000) {
    const settings: ProbeSettings = {
      ...DEFAULT_SETTINGS,
      enabled: new Set(['snmp']),
      snmpPort: 20161,
      ...(community ? { snmpCommunity: community } : {}),
    };
    return run(key, { settings, timeoutMs });
  }

  it('Hikvision with the right community: the model under 39165, no system group', async () => {
    const { outcome, exchanges, observations } = await probe('hik', 'lab-hik-ro');
    expect(outcome).toMatchObject({ status: 'success', port: 20161 });
    expect(exchanges).toHaveLength(1);
    expect(observations.map((o) => [o.field, o.value])).toEqual([['snmp.hikvision.model', 'DS-2CD2385G1-I']]);
    expect(analyse(exchanges, loadKnowledge(undefined)).devices[0]).toMatchObject({
      maker: 'hikvision',
      model: 'DS-2CD2385G1-I',
    });
  });

  it('Axis with the right community: sysDescr, sysObjectID, sysName → axis M2036-LE 10.12.114', async () => {
    const { outcome, exchanges, observations } = await probe('axis', 'lab-axis-ro');
    expect(outcome.status).toBe('success');
    expect(valuesOf(observations, 'snmp.sys_descr')).toEqual([
      '; AXIS M2036-LE; Bullet Camera; 10.12.114; Oct 03 2022 14:20; 7EC.1; 1',
    ]);
    expect(valuesOf(observations, 'snmp.sys_object_id')).toEqual(['1.3.6.1.4.1.368']);
    expect(valuesOf(observations, 'snmp.sys_name')).toEqual(['axis-b8a44f002036']);
    expect(analyse(exchanges, loadKnowledge(undefined)).devices[0]).toMatchObject({
      maker: 'axis',
      model: 'M2036-LE',
      firmware: '10.12.114',
    });
  });

  it('the recorded exchange carries neither community, in request nor response', async () => {
    const { exchanges } = await probe('axis', 'lab-axis-ro');
    const line = JSON.stringify(exchanges);
    expect(line).not.toContain('lab-axis-ro');
    expect(responseBytes(exchanges[0] as Exchange).includes(Buffer.from('lab-axis-ro'))).toBe(false);
    expect(exchanges[0]?.request).toMatch(
      /^SNMPv2c GetRequest community=\[redacted\] request-id=\d+ 1\.3\.6/,
    );
  });

  it('a wrong community: the agent stays silent → no-response, nothing recorded', async () => {
    const { outcome, exchanges } = await probe('axis', 'public');
    expect(outcome.status).toBe('no-response');
    expect(exchanges).toEqual([]);
  });

  it('no community in the settings: nothing is sent', async () => {
    const { outcome, exchanges } = await probe('axis', undefined);
    expect(outcome).toMatchObject({ status: 'no-response', detail: expect.stringContaining('nothing sent') });
    expect(exchanges).toEqual([]);
  });

  /** Faults are probed with the right community, so only the fault explains what happens. */
  const withCommunity: Runner = (key, overrides = {}) => probe(key, 'lab-axis-ro', overrides.timeoutMs);
  const AXIS_OID = ['1.3.6.1.4.1.368'];

  faultMatrix(withCommunity, [
    {
      name: 'garbage: protocol-mismatch, the bytes kept as evidence, no observation',
      keys: 'garbage',
      status: 'protocol-mismatch',
      exchanges: 1,
      observations: 0,
    },
    {
      name: 'oversize: a 60,000-byte sysDescr is cut to 512 characters',
      keys: 'oversize',
      status: 'success',
      check: ({ observations }) => {
        const [descr] = valuesOf(observations, 'snmp.sys_descr');
        expect(descr).toBe('A'.repeat(512));
      },
    },
    { name: 'duplicate replies are recorded once', keys: 'duplicate', status: 'success', exchanges: 1 },
    {
      name: 'a flood of 10,000 datagrams: one answer recorded, the rest counted and dropped',
      keys: 'flood',
      status: 'success',
      exchanges: 1,
      check: ({ observations }) => expect(valuesOf(observations, 'snmp.sys_object_id')).toEqual(AXIS_OID),
    },
    {
      name: 'an agent that never answers: no-response by the deadline',
      keys: 'hang',
      overrides: { timeoutMs: 1500 },
      status: 'no-response',
      exchanges: 0,
    },
    {
      name: 'a host outside the targets: out-of-scope, nothing sent',
      keys: '127.78.55.200',
      status: 'out-of-scope',
      exchanges: 0,
    },
  ]);
});

// ---------------------------------------------------------------------------------------------

/** A test-local UDP agent: counts datagrams and answers as `answer` says. */
async function agent(
  host: string,
  answer: (msg: Buffer, rinfo: RemoteInfo, socket: Socket) => void = () => {},
): Promise<{ socket: Socket; port: number; count: () => number; close: () => Promise<void> }> {
  const socket = createSocket('udp4');
  let n = 0;
  socket.on('message', (msg, rinfo) => {
    n += 1;
    answer(msg, rinfo, socket);
  });
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  return {
    socket,
    port: socket.address().port,
    count: () => n,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

describe('replies the probe must not believe (test-local agent)', () => {
  const HOST = '127.78.56.10';
  const OTHER = '127.78.56.11';
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c()));
  });

  async function run(port: number) {
    const guard = createScopeGuard(await buildTargetSet({ targets: [HOST] }));
    const exchanges: Exchange[] = [];
    const outcome = await snmpProbe.run(
      { host: HOST },
      probeContext(guard, (ex) => exchanges.push(ex), {
        timeoutMs: 3000,
        windowMs: 400,
        settings: { ...DEFAULT_SETTINGS, snmpCommunity: 'test-community', snmpPort: port },
      }),
    );
    return { outcome, exchanges };
  }

  const respond = (msg: Buffer, requestIdDelta = 0) => {
    const p = parseSnmpMessage(msg);
    if (!p.ok) throw new Error('the probe sent no SNMP');
    return buildGetResponse('test-community', p.message.requestId + requestIdDelta, OIDS, AXIS_P5534);
  };

  it('a reply from another address is dropped → no-response', async () => {
    const other = await agent(OTHER);
    closers.push(other.close);
    const a = await agent(HOST, (msg, rinfo) => other.socket.send(respond(msg), rinfo.port, rinfo.address));
    closers.push(a.close);
    const { outcome, exchanges } = await run(a.port);
    expect(a.count()).toBeGreaterThan(0);
    expect(outcome.status).toBe('no-response');
    expect(exchanges).toEqual([]);
  });

  it('a reply to another request-id is not our answer → protocol-mismatch, no observation', async () => {
    const a = await agent(HOST, (msg, rinfo, s) => s.send(respond(msg, 1), rinfo.port, rinfo.address));
    closers.push(a.close);
    const { outcome, exchanges } = await run(a.port);
    expect(outcome.status).toBe('protocol-mismatch');
    expect(exchanges).toHaveLength(1);
    expect(JSON.stringify(exchanges)).not.toContain('test-community');
  });

  it('the right answer after a stray one is still found', async () => {
    const a = await agent(HOST, (msg, rinfo, s) => {
      s.send(Buffer.from([0x30, 0x00]), rinfo.port, rinfo.address);
      s.send(respond(msg), rinfo.port, rinfo.address);
    });
    closers.push(a.close);
    const { outcome, exchanges } = await run(a.port);
    expect(outcome.status).toBe('success');
    expect(valuesOf(exchanges.flatMap(observeSnmp), 'snmp.sys_object_id')).toEqual(['1.3.6.1.4.1.368']);
  });
});

describe('camsweep scan: SNMP is off unless asked for', () => {
  const HOST = '127.78.57.10';
  let tcp: Server;
  let tcpPort = 0;
  beforeAll(async () => {
    // One open TCP port, so the host is live and every host probe runs.
    tcp = createServer((s) => s.destroy());
    await new Promise<void>((resolve) => tcp.listen(0, HOST, resolve));
    const address = tcp.address();
    tcpPort = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
  });

  it('a default sweep sends no SNMP datagram, even with a community in the environment', async () => {
    const a = await agent(HOST);
    try {
      const base = ['scan', HOST, '--ports', String(tcpPort), '--interface', 'none', '--format', 'jsonl'];
      const off = await runCli([...base, '--snmp-port', String(a.port), '--udp-window', '200'], {
        env: { CAMSWEEP_SNMP_COMMUNITY: 'test-community' },
      });
      expect(off.code).toBe(0);
      expect(a.count()).toBe(0);
      // The same sweep with --enable snmp does send (so the port above was the one it would use).
      const on = await runCli(
        [...base, '--snmp-port', String(a.port), '--udp-window', '200', '--enable', 'snmp'],
        {
          env: { CAMSWEEP_SNMP_COMMUNITY: 'test-community' },
        },
      );
      expect(on.code).toBe(0);
      expect(a.count()).toBeGreaterThan(0);
    } finally {
      await a.close();
    }
  }, 60_000);
});
