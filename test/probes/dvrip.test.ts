/**
 * Xiongmai DVRIP discovery (UDP 34569): the search message we send, the pure parser on a real
 * published reply, hostile input (property-based), and the unicast probe against a loopback lab
 * persona made here from that reply, with every fault. Addresses: 127.78.12.0/24 only.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Exchange, encodeResponse } from '../../src/core/exchange.ts';
import type { Observation } from '../../src/core/observation.ts';
import { loadLibrary } from '../../src/fingerprints/load.ts';
import { loadVendors } from '../../src/fingerprints/vendors.ts';
import { loadPersona, type Persona } from '../../src/lab/persona.ts';
import { frameDvrip, hostIpHex } from '../../src/lab/responders/dvrip.ts';
import { isField } from '../../src/observations/fields.ts';
import { analyse } from '../../src/pipeline/analyse.ts';
import { loadPolicy } from '../../src/policy/load.ts';
import { buildDiscoveryRequest, isDiscoveryRequest } from '../../src/probes/dvrip/message.ts';
import { dvripIp, observeDvrip, parseDvripDiscovery } from '../../src/probes/dvrip/parse.ts';
import { dvripDiscoveryProbe } from '../../src/probes/dvrip/probe.ts';
import { HOST_PROBES, MULTICAST_DISCOVERY } from '../../src/probes/index.ts';
import { faultLineup, faultMatrix, udpRepliesTo } from '../helpers/fault-matrix.ts';
import { anyBytes, expectBoundedObservations, hostileInputs } from '../helpers/hostile-input.ts';
import { tokenSoup, useFaultLab } from '../helpers/probe-lab.ts';

/**
 * A real DVRIP discovery reply ("Broadcast UDP sent from factory reset devices on port 34569",
 * comment in a Go package `sofia`, public code search hit id 43385522421).
 */
const REAL = `{
	"Name" : "NetWork.NetCommon",
	"NetWork.NetCommon" :
	{
		"DeviceType" : 43,
		"GateWay" : "0x0101a8c0",
		"HostIP" : "0x0a01a8c0",
		"HostName" : "IPC_6a6b",
		"HttpPort" : 80,
		"MAC" : "00:12:31:09:b7:9e",
		"MaxBps" : 0,
		"MonMode" : "TCP",
		"SN" : "a5b23b431b14712e",
		"SSLPort" : 8443,
		"Submask" : "0x00ffffff",
		"TCPMaxConn" : 10,
		"TCPPort" : 34567,
		"TransferPlan" : "Quality",
		"UDPPort" : 34568,
		"UseHSDownLoad" : false,
		"Version" : "V4.02.R12.E7335520.12012.047502.00000",
		"BuildDate" : "2018-09-17 10:47:30" ,
		"OtherFunction": "D=2022-08-12 11:14:35 V=0832fc42ad047dc"
	},
	"Ret" : 100,
	"SessionID" : "0x00000000"
}`;
const HOST = '127.78.12.99';

function framed(json: string, trailer = '\n\0'): Buffer {
  return frameDvrip(Buffer.from(json + trailer, 'utf8'));
}

function exchangeOf(bytes: Buffer, host = HOST): Exchange {
  return {
    type: 'exchange',
    host,
    port: 34569,
    transport: 'udp',
    protocol: 'dvrip',
    probe: 'dvrip-discovery',
    ...encodeResponse(bytes),
  };
}

function values(obs: Observation[], field: string): string[] {
  return obs.filter((o) => o.field === field).map((o) => o.value);
}

describe('the DVRIP search message', () => {
  it('is the 20-byte header with message id 1530 and an empty body', () => {
    const b = buildDiscoveryRequest();
    expect(b.toString('hex')).toBe('ff00000000000000000000000000fa0500000000');
    expect(isDiscoveryRequest(b)).toBe(true);
    expect(isDiscoveryRequest(Buffer.concat([b, Buffer.from('{}')]))).toBe(false);
  });

  it('is a unicast host probe only: there is no broadcast/multicast DVRIP discovery', () => {
    expect(HOST_PROBES.some((p) => p.id === 'dvrip-discovery')).toBe(true);
    expect(MULTICAST_DISCOVERY.some((d) => d.protocol === 'dvrip')).toBe(false);
  });
});

describe('parseDvripDiscovery / observeDvrip on a real reply', () => {
  it('reads NetWork.NetCommon: host name, serial, MAC, type, build date, firmware, hex HostIP', () => {
    const obs = observeDvrip(exchangeOf(framed(REAL)));
    for (const o of obs) expect(isField(o.field), o.field).toBe(true);
    expect(Object.fromEntries(obs.map((o) => [o.field, o.value]))).toEqual({
      'dvrip.host_name': 'IPC_6a6b',
      'dvrip.serial': 'a5b23b431b14712e',
      'dvrip.mac': '00:12:31:09:b7:9e',
      'mac.address': '00:12:31:09:b7:9e',
      'dvrip.device_type': '43',
      'dvrip.build_date': '2018-09-17 10:47:30',
      'dvrip.firmware': 'V4.02.R12.E7335520.12012.047502.00000',
      'dvrip.host_ip': '192.168.1.10',
      'dvrip.tcp_port': '34567',
      'dvrip.http_port': '80',
    });
  });

  it('the HostIP hex is little-endian; the lab writes it the same way', () => {
    expect(dvripIp('0x0a01a8c0')).toBe('192.168.1.10');
    expect(dvripIp('0x0101A8C0')).toBe('192.168.1.1');
    expect(dvripIp(hostIpHex('127.78.12.10'))).toBe('127.78.12.10');
    expect(dvripIp('0xZZ')).toBeUndefined();
  });

  it('identifies Xiongmai (review under uk-nil-2022) from the reply alone', () => {
    const vendors = loadVendors();
    const k = { library: loadLibrary(), vendors, policies: [loadPolicy('uk-nil-2022', vendors)] };
    const { devices, findings } = analyse([exchangeOf(framed(REAL))], k);
    expect(devices[0]).toMatchObject({
      maker: 'xiongmai',
      firmware: 'V4.02.R12.E7335520.12012.047502.00000',
    });
    expect(findings.map((f) => f.severity)).toEqual(['review']);
  });

  it('refuses other message ids, a bad head flag, short datagrams, non-JSON and JSON without NetWork.NetCommon', () => {
    const body = Buffer.from(REAL);
    const wrongId = frameDvrip(body, 1530);
    const badHead = Buffer.from(framed(REAL));
    badHead[0] = 0xfe;
    for (const b of [
      wrongId,
      badHead,
      Buffer.alloc(10),
      framed('not json'),
      framed('{"Name":"NetWork.NetCommon"}'),
      framed('[1,2,3]'),
      framed('{"NetWork.NetCommon":[1]}'),
      framed('{"__proto__":{"NetWork.NetCommon":{"SN":"x"}}}'),
    ]) {
      expect(parseDvripDiscovery(b).ok).toBe(false);
      expect(observeDvrip(exchangeOf(b))).toEqual([]);
    }
  });

  it('a body length beyond the datagram reads what is there; one beyond a datagram is refused', () => {
    const b = framed(REAL);
    b.writeUInt32LE(b.length + 1000, 16);
    expect(parseDvripDiscovery(b).ok).toBe(true);
    b.writeUInt32LE(0xffffffff, 16);
    expect(parseDvripDiscovery(b).ok).toBe(false);
  });

  it('caps values and strips control characters', () => {
    const long = REAL.replace('IPC_6a6b', `IPC_${'x'.repeat(5000)}\\u0007`);
    const obs = observeDvrip(exchangeOf(framed(long)));
    const name = values(obs, 'dvrip.host_name')[0] ?? '';
    expect(name.length).toBe(256);
    expect(name.includes(String.fromCharCode(7))).toBe(false);
  });
});

describe('parseDvripDiscovery on hostile input (property)', () => {
  const jsonish = tokenSoup(
    [
      '{',
      '}',
      '"NetWork.NetCommon"',
      ':',
      ',',
      '"SN"',
      '"MAC"',
      '"HostIP"',
      '"0x0a01a8c0"',
      '"Version"',
      '[',
      ']',
      'null',
      '1e999',
      '"\\u0000"',
      '"__proto__"',
    ],
    { stringLength: 200, parts: 100 },
  );

  const check = (b: Buffer) =>
    expectBoundedObservations(observeDvrip(exchangeOf(b, '127.78.12.98')), { count: 10, length: 256 });

  hostileInputs(check, [
    { name: 'never throws on arbitrary bytes', input: anyBytes(3000), runs: 300 },
    {
      name: 'never throws on framed JSON-ish bodies',
      input: jsonish.map((s) => framed(`{"NetWork.NetCommon":{${s}}}`, '')),
      runs: 400,
    },
    {
      name: 'never throws on framed arbitrary bodies with any body length',
      input: fc.tuple(fc.uint8Array({ maxLength: 2000 }), fc.nat()).map(([body, len]) => {
        const b = frameDvrip(Buffer.from(body));
        b.writeUInt32LE(len >>> 0, 16);
        return b;
      }),
      runs: 300,
    },
  ]);
});

// ---------------------------------------------------------------------------------------------
// The unicast probe against the loopback lab. There is no Xiongmai persona in fixtures/devices yet,
// so this test makes one from the real reply above (MAC last octets lab-made).

const BASE = '127.78.12.10';
const EMPTY = '127.78.12.90';

describe('dvripDiscoveryProbe against the loopback lab', () => {
  let dir: string;
  let xm: Persona;
  // Registered before the lab's own hooks: the persona's folder is made before the lab starts and
  // removed after it stops.
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'camsweep-dvrip-'));
    writeFileSync(
      join(dir, 'persona.yaml'),
      [
        'id: xiongmai-ipc-test',
        'name: Xiongmai IPC (test persona from one real DVRIP discovery reply)',
        'kind: camera',
        'expect: { maker: xiongmai, finding: review }',
        'mac: "00:12:31:00:40:01"',
        'provenance:',
        '  - fact: "DVRIP discovery reply NetWork.NetCommon of a factory-reset IPC"',
        '    source: "public code search hit id 43385522421 (Go package sofia); MAC last octets lab-made"',
        'services: {}',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'dvrip.yaml'),
      `provenance:\n  - fact: "reply body"\n    source: "public code search hit id 43385522421"\ntrailer: "\\n\\0"\nreply: |\n${REAL.replace(
        '"0x0a01a8c0"',
        '"{{hostIpHex}}"',
      )
        .replace('00:12:31:09:b7:9e', '{{mac}}')
        .split('\n')
        .map((l) => `  ${l.replaceAll('\t', '  ')}`)
        .join('\n')}\n`,
    );
    xm = loadPersona(dir);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const FAULTS = [
    'duplicate',
    'flood',
    'garbage',
    'hang',
    'oversize',
    'invalid-utf8',
    'wrong-message',
    'wrong-source',
  ] as const;
  const lab = useFaultLab({
    base: BASE,
    protocol: 'dvrip',
    scope: ['127.78.12.0/24'],
    lineup: () => [{ key: 'normal', persona: xm }, ...faultLineup(xm, FAULTS)],
  });
  const { at } = lab;
  const probe = lab.runner(dvripDiscoveryProbe, { observe: observeDvrip, timeoutMs: 8000, windowMs: 400 });

  it('finds the persona: success, its own MAC and address, the firmware', async () => {
    const { outcome, exchanges, observations } = await probe('normal');
    expect(outcome.status).toBe('success');
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]).toMatchObject({
      port: 34569,
      transport: 'udp',
      protocol: 'dvrip',
      request: buildDiscoveryRequest().toString('hex'),
    });
    expect(values(observations, 'mac.address')).toEqual(['00:12:31:00:40:01']);
    expect(values(observations, 'dvrip.host_ip')).toEqual([at.normal]);
    expect(values(observations, 'dvrip.firmware')).toEqual(['V4.02.R12.E7335520.12012.047502.00000']);
  });

  faultMatrix(probe, [
    { name: 'duplicate replies: recorded once', keys: 'duplicate', status: 'success', exchanges: 1 },
    {
      name: 'a flood of 10,000 datagrams: ends, success, bounded records',
      keys: 'flood',
      overrides: { windowMs: 3000 },
      status: 'success',
      exchanges: { atMost: 2 },
    },
    {
      name: 'garbage, a wrong message id, oversize: protocol-error, nothing recorded',
      keys: ['garbage', 'wrong-message', 'oversize'],
      status: 'protocol-error',
      exchanges: 0,
    },
    {
      name: 'invalid UTF-8 inside the JSON: refused without a crash',
      keys: 'invalid-utf8',
      status: 'protocol-error',
      observations: 0,
    },
    {
      name: 'hang and an empty address: no-response',
      keys: ['hang', EMPTY],
      status: 'no-response',
      exchanges: 0,
    },
    {
      name: 'a reply from another local address is dropped: no-response',
      keys: 'wrong-source',
      status: 'no-response',
      exchanges: 0,
    },
  ]);

  it('the lab answers only the search message', async () => {
    const other = Buffer.from(buildDiscoveryRequest());
    other.writeUInt16LE(1000, 14); // a login message
    const replies = await udpRepliesTo({ host: at.normal ?? '', port: 34569 }, '127.78.12.97', [
      other,
      Buffer.from('garbage'),
      buildDiscoveryRequest(),
    ]);
    expect(replies).toBe(1);
  });
});
