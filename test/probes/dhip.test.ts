/**
 * Dahua DHIP discovery (UDP 37810): the pure parser on real published replies, hostile input
 * (property-based), the unicast probe against the loopback lab with each fault, and the scope
 * guard on the address a reply advertises. Addresses: 127.78.20.0/24 – 127.78.24.0/24 only.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Exchange, encodeResponse } from '../../src/core/exchange.ts';
import type { ScopeGuard } from '../../src/core/scope.ts';
import { createScopeGuard } from '../../src/engine/scope.ts';
import { buildTargetSet } from '../../src/engine/targets.ts';
import { observe } from '../../src/observations/observe.ts';
import { dhipDiscovery } from '../../src/probes/dhip/discovery.ts';
import { buildSearch, DHIP_SEARCH_BODY, frameDhip } from '../../src/probes/dhip/message.ts';
import { observeDhip, parseDhip } from '../../src/probes/dhip/parse.ts';
import { dhipUnicastProbe } from '../../src/probes/dhip/probe.ts';
import { advertisedWebScopeTests, useAdvertisedWebTrap } from '../helpers/advertised-web.ts';
import { faultLineup, faultMatrix } from '../helpers/fault-matrix.ts';
import { expectBoundedObservations } from '../helpers/hostile-input.ts';
import { persona, probeContext, useFaultLab } from '../helpers/probe-lab.ts';

/** A real reply (IPC-HDW5421S, 2020 UDP amplification write-up, public code search id 1180738884). */
const REAL_5421S =
  '{ "mac" : "4c:11:bf:c2:0b:9d", "method" : "client.notifyDevInfo", "params" : { "deviceInfo" : { "AlarmInputChannels" : 0, "AlarmOutputChannels" : 0, "DeviceClass" : "IPC", "DeviceType" : "IPC-HDW5421S", "HttpPort" : 80, "IPv4Address" : { "DefaultGateway" : "218.5.136.1", "DhcpEnable" : false, "IPAddress" : "218.5.136.140", "SubnetMask" : "255.255.255.0" }, "IPv6Address" : { "DefaultGateway" : "2001:250:3000:1::1:1", "DhcpEnable" : false, "IPAddress" : "2001:250:3000:1::1:2\\/112", "LinkLocalAddress" : "fe80::4e11:bfff:fec2:0b9d\\/64" }, "MachineName" : "1F006E4PAX00075", "Manufacturer" : "Private", "Port" : 37777, "RemoteVideoInputChannels" : 0, "SerialNo" : "1F006E4PAX00075", "Vendor" : "Dahua", "Version" : "2.400.0.8", "VideoInputChannels" : 1, "VideoOutputChannels" : 16 } } }';

/** The Lorex reply of Rapid7's LOREX_DISCOVER.rb (public code search id 69222311444), redactions kept. */
const REAL_LOREX = JSON.stringify({
  mac: '00:1f:54:a9:2e:58',
  method: 'client.notifyDevInfo',
  params: {
    deviceInfo: {
      AlarmInputChannels: 0,
      AlarmOutputChannels: 0,
      DeviceClass: 'IPC',
      DeviceType: 'W461ASC',
      HttpPort: 80,
      Port3: 80,
      Port: 35000,
      UnLoginFuncMask: 1,
      IPv4Address: {
        DefaultGateway: '192.168.86.1',
        DhcpEnable: true,
        IPAddress: '192.168.86.81',
        SubnetMask: '255.255.255.0',
      },
      MachineName: '**************',
      Manufacturer: 'Private',
      RemoteVideoInputChannels: 0,
      SerialNo: '**************',
      DeviceID: '***************',
      Vendor: 'Lorex',
      Version: '2.800.030000000.3.R',
      VideoInputChannels: 1,
      VideoOutputChannels: 0,
      Init: 1162,
      Find: 'BC',
      FindVersion: 1,
    },
  },
});

const HOST = '127.78.20.10';

function exchangeOf(bytes: Buffer, host = HOST): Exchange {
  return {
    type: 'exchange',
    host,
    port: 37810,
    transport: 'udp',
    protocol: 'dhip',
    probe: 'dhip-unicast',
    ...encodeResponse(bytes),
  };
}

function fields(bytes: Buffer): Record<string, string> {
  return Object.fromEntries(observeDhip(exchangeOf(bytes)).map((o) => [o.field, o.value]));
}

async function guardFor(targets: string[]): Promise<ScopeGuard> {
  return createScopeGuard(await buildTargetSet({ targets }));
}

describe('the DHDiscover.search request', () => {
  it('is the 32-byte little-endian DHIP header and the documented JSON search', () => {
    const req = buildSearch();
    expect(req.readUInt32LE(0)).toBe(0x20);
    expect(req.toString('latin1', 4, 8)).toBe('DHIP');
    expect(req.readUInt32LE(8)).toBe(0);
    expect(req.readUInt32LE(12)).toBe(0);
    expect(req.readUInt32LE(16)).toBe(req.length - 32);
    expect(req.readUInt32LE(20)).toBe(0);
    expect(req.readUInt32LE(24)).toBe(req.length - 32);
    expect(req.readUInt32LE(28)).toBe(0);
    expect(req.subarray(32).toString('utf8')).toBe(DHIP_SEARCH_BODY);
    expect(JSON.parse(DHIP_SEARCH_BODY)).toEqual({
      method: 'DHDiscover.search',
      params: { mac: '', uni: 1 },
    });
  });
});

describe('parseDhip / observeDhip on real replies', () => {
  it('a Dahua IPC-HDW5421S reply (spaced JSON, escaped slashes, trailing line end): every field', () => {
    expect(fields(frameDhip(`${REAL_5421S}\n`))).toEqual({
      'dhip.device_type': 'IPC-HDW5421S',
      'dhip.serial': '1F006E4PAX00075',
      'dhip.version': '2.400.0.8',
      'dhip.vendor': 'Dahua',
      'dhip.manufacturer': 'Private',
      'dhip.device_class': 'IPC',
      'dhip.machine_name': '1F006E4PAX00075',
      'dhip.http_port': '80',
      'dhip.port': '37777',
      'dhip.ipv4_address': '218.5.136.140',
      'mac.address': '4c:11:bf:c2:0b:9d',
    });
  });

  it('a Lorex (Dahua OEM) reply: the OEM in Vendor, its own model and SDK port', () => {
    const f = fields(frameDhip(REAL_LOREX));
    expect(f['dhip.vendor']).toBe('Lorex');
    expect(f['dhip.device_type']).toBe('W461ASC');
    expect(f['dhip.port']).toBe('35000');
    expect(f['mac.address']).toBe('00:1f:54:a9:2e:58');
  });

  it('strips trailing NULs and CRLF inside the declared body', () => {
    expect(fields(frameDhip(`${REAL_5421S}\r\n\0\0`))['dhip.device_type']).toBe('IPC-HDW5421S');
  });

  it('refuses frames a scanner must not trust: wrong magic, header length, body length; bad JSON; other methods', () => {
    const good = frameDhip(REAL_5421S);
    const badMagic = Buffer.from(good);
    badMagic.write('DHIQ', 4, 'latin1');
    const badHeader = Buffer.from(good);
    badHeader.writeUInt32LE(0x21, 0);
    const badLength = Buffer.from(good);
    badLength.writeUInt32LE(good.length, 16);
    expect(parseDhip(badMagic)).toEqual({ ok: false, reason: 'not-dhip' });
    expect(parseDhip(badHeader)).toEqual({ ok: false, reason: 'not-dhip' });
    expect(parseDhip(badLength)).toEqual({ ok: false, reason: 'bad-length' });
    expect(parseDhip(Buffer.concat([good, Buffer.from('x')]))).toEqual({ ok: false, reason: 'bad-length' });
    expect(parseDhip(frameDhip('{"method":'))).toEqual({ ok: false, reason: 'bad-json' });
    // Our own search, reflected back, is not a device.
    expect(parseDhip(buildSearch())).toEqual({ ok: false, reason: 'not-notify' });
    expect(observeDhip(exchangeOf(buildSearch()))).toEqual([]);
  });

  it('keeps only sane values: ports 1–65535, IPv4 literals, no control characters, capped length', () => {
    const body = JSON.stringify({
      mac: 'not-a-mac',
      method: 'client.notifyDevInfo',
      params: {
        deviceInfo: {
          DeviceType: `IPC\u0000-X${'A'.repeat(5000)}`,
          HttpPort: 70000,
          Port: '37777',
          IPv4Address: { IPAddress: 'example.com' },
          Vendor: 42,
        },
      },
    });
    const f = fields(frameDhip(body));
    expect(f['dhip.device_type']?.startsWith('IPC-X')).toBe(true);
    expect(f['dhip.device_type']?.length).toBeLessThanOrEqual(256);
    expect(f['dhip.http_port']).toBeUndefined();
    expect(f['dhip.port']).toBe('37777');
    expect(f['dhip.ipv4_address']).toBeUndefined();
    expect(f['dhip.vendor']).toBeUndefined();
    expect(f['mac.address']).toBeUndefined();
  });

  it('is the parser the observation table uses for protocol "dhip"', () => {
    const ex = exchangeOf(frameDhip(REAL_5421S));
    expect(observe(ex)).toEqual(observeDhip(ex));
    expect(observe(ex).length).toBeGreaterThan(5);
  });

  it('survives 100,000 nested arrays and invalid UTF-8 in the body', () => {
    const deep = frameDhip(`${'['.repeat(60_000)}${']'.repeat(5_000)}`);
    expect(() => parseDhip(deep)).not.toThrow();
    expect(parseDhip(deep).ok).toBe(false);
    const invalid = frameDhip(
      Buffer.concat([
        Buffer.from('{"method":"client.notifyDevInfo","params":{"deviceInfo":{"DeviceType":"'),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from('IPC"}}}'),
      ]),
    );
    const f = fields(invalid);
    expect(f['dhip.device_type']).toContain('IPC');
  });
});

describe('property: hostile datagrams', () => {
  const jsonish = fc.oneof(
    fc.json(),
    fc.constantFrom(REAL_5421S, REAL_LOREX, '{"method":"client.notifyDevInfo"}'),
    fc.string(),
  );
  it('never throws, yields at most 11 registered observations with bounded values', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
          jsonish.map((j) => frameDhip(j)),
          fc
            .tuple(jsonish, fc.uint8Array({ maxLength: 40 }))
            .map(([j, tail]) => Buffer.concat([frameDhip(j), Buffer.from(tail)])),
        ),
        (bytes) => {
          expectBoundedObservations(observeDhip(exchangeOf(bytes)), { count: 11, length: 256 });
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('the multicast discovery', () => {
  it('accepts only valid replies, records the request, dedupes one device, and follows HttpPort', () => {
    const run = dhipDiscovery.prepare();
    const reply = frameDhip(REAL_5421S);
    expect(dhipDiscovery.group).toBe('239.255.255.251');
    expect(dhipDiscovery.port).toBe(37810);
    expect(run.accepts(reply)).toBe(true);
    expect(run.accepts(Buffer.from('garbage'))).toBe(false);
    expect(run.accepts(buildSearch())).toBe(false);
    expect(Buffer.from(run.requestFor(reply), 'latin1').equals(buildSearch())).toBe(true);
    expect(run.dedupeKey(reply)).toBe(run.dedupeKey(frameDhip(`${REAL_5421S}\n`)));
    const ex: Exchange = { ...exchangeOf(reply, '218.5.136.140'), transport: 'multicast' };
    expect(dhipDiscovery.followUps?.(ex)).toEqual([{ probe: 'http', url: 'http://218.5.136.140:80/' }]);
  });
});

describe('dhip-unicast against the loopback lab', () => {
  const dahua = persona('dahua-ipc-hdw1025c');
  const faults = ['hang', 'garbage', 'duplicate', 'flood', 'oversize'] as const;
  const lab = useFaultLab({
    base: HOST,
    protocol: 'dhip',
    lineup: [
      { key: 'dahua', persona: dahua },
      { key: 'amcrest', persona: 'amcrest-ip2m-841b' },
      ...faultLineup(dahua, faults),
    ],
  });
  const { at } = lab;
  const run = lab.runner(dhipUnicastProbe, { observe: observeDhip, timeoutMs: 3000, windowMs: 300 });

  it('the Dahua persona answers with its model, firmware, serial, MAC and web port', async () => {
    const { outcome, exchanges } = await run('dahua');
    expect(outcome.status).toBe('success');
    expect(exchanges).toHaveLength(1);
    const f = Object.fromEntries(exchanges.flatMap(observeDhip).map((o) => [o.field, o.value]));
    expect(f['dhip.device_type']).toBe('IPC-HDW1025C');
    expect(f['dhip.version']).toBe('2.420.Dahua 00.14.R');
    expect(f['dhip.vendor']).toBe('Dahua');
    expect(f['mac.address']).toBe(dahua.mac);
    expect(outcome.followUps).toEqual([{ probe: 'http', url: `http://${at.dahua}:20080/` }]);
  });

  it('the Amcrest persona names Amcrest and its AC00 firmware', async () => {
    const { outcome, exchanges } = await run('amcrest');
    expect(outcome.status).toBe('success');
    const f = Object.fromEntries(exchanges.flatMap(observeDhip).map((o) => [o.field, o.value]));
    expect(f['dhip.vendor']).toBe('Amcrest');
    expect(f['dhip.version']).toBe('2.520.AC00.18.R');
    expect(f['dhip.device_type']).toBe('IP2M-841B');
  });

  faultMatrix(run, [
    { name: 'hang: no-response, within the deadline', keys: 'hang', status: 'no-response', exchanges: 0 },
    {
      name: 'garbage: protocol-mismatch, nothing recorded',
      keys: 'garbage',
      status: 'protocol-mismatch',
      exchanges: 0,
    },
    { name: 'duplicate datagrams: one exchange', keys: 'duplicate', status: 'success', exchanges: 1 },
    {
      // The flood is sent from this same process, so the listening window is generous (a bound,
      // not a timing assertion): the probe still stops at the first valid reply.
      name: 'a flood of 10,000 datagrams: the valid reply is kept once, the rest is not stored',
      keys: 'flood',
      overrides: { timeoutMs: 6000, windowMs: 3000 },
      status: 'success',
      exchanges: 1,
    },
    {
      name: 'oversize (60 KB unterminated JSON in a valid frame): protocol-error, nothing recorded',
      keys: 'oversize',
      status: 'protocol-error',
      exchanges: 0,
    },
  ]);
});

describe('dhip-unicast: replies from an unexpected source address', () => {
  const TARGET = '127.78.21.10';
  const OTHER = '127.78.21.11';
  let listener: UdpSocket;
  let other: UdpSocket;
  beforeAll(async () => {
    other = createSocket('udp4');
    await new Promise<void>((r) => other.bind(0, OTHER, r));
    listener = createSocket('udp4');
    listener.on('message', (_m, rinfo) => other.send(frameDhip(REAL_5421S), rinfo.port, rinfo.address));
    await new Promise<void>((r) => listener.bind(37810, TARGET, r));
  });
  afterAll(() => {
    listener.close();
    other.close();
  });

  it('are not the target’s answer: no-response, nothing recorded', async () => {
    const exchanges: Exchange[] = [];
    const guard = await guardFor([TARGET]);
    const outcome = await dhipUnicastProbe.run(
      { host: TARGET },
      probeContext(guard, (e) => exchanges.push(e), { timeoutMs: 3000, windowMs: 300 }),
    );
    expect(outcome.status).toBe('no-response');
    expect(exchanges).toEqual([]);
  });

  it('an address outside the targets is never sent to', async () => {
    const guard = await guardFor(['127.78.21.200']);
    const outcome = await dhipUnicastProbe.run(
      { host: TARGET },
      probeContext(guard, () => {}, { timeoutMs: 3000, windowMs: 300 }),
    );
    expect(outcome.status).toBe('out-of-scope');
  });
});

describe('the advertised web port goes through the scope guard', () => {
  const trap = useAdvertisedWebTrap({
    net: '127.78.22',
    udpPort: 37810,
    answer: (msg, address, port) =>
      msg.includes('DHDiscover.search')
        ? frameDhip(
            REAL_5421S.replace('"218.5.136.140"', `"${address}"`).replace(
              '"HttpPort" : 80',
              `"HttpPort" : ${port}`,
            ),
          )
        : undefined,
  });
  advertisedWebScopeTests(trap, 'dhip-unicast', 'dhip');
});
