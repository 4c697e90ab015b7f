/**
 * Dahua legacy discovery (UDP 5050): the search we send, the pure parser on the published facts,
 * hostile input (property-based), the unicast probe against the loopback Dahua persona with every
 * fault, and the scope guard on the web port a reply advertises.
 *
 * No real 5050 reply was ever published: only its first four bytes, B3 00 23 01 (mcw0/Tools
 * Dahua-JSON-Debug-Console-v2.py). Every full reply below is ASSEMBLED in the layout three tools
 * read (UniversalScanner Dahua1.cs, DahuaConsole dh_discover, python-dvr SearchDahua), and the
 * test names say so. Addresses: 127.78.60.0/24 – 127.78.69.0/24 only.
 */
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Exchange, encodeResponse } from '../../src/core/exchange.ts';
import type { Observation } from '../../src/core/observation.ts';
import { createScopeGuard } from '../../src/engine/scope.ts';
import { buildTargetSet } from '../../src/engine/targets.ts';
import { loadLibrary } from '../../src/fingerprints/load.ts';
import { loadVendors } from '../../src/fingerprints/vendors.ts';
import { observe } from '../../src/observations/observe.ts';
import { analyse } from '../../src/pipeline/analyse.ts';
import { loadPolicy } from '../../src/policy/load.ts';
import {
  buildReply,
  buildSearch,
  isSearch,
  type ReplyParts,
  SECTION1_LENGTH,
} from '../../src/probes/dahua-legacy/message.ts';
import { observeDahuaLegacy, parseDahuaLegacy } from '../../src/probes/dahua-legacy/parse.ts';
import { dahuaLegacyProbe } from '../../src/probes/dahua-legacy/probe.ts';
import { HOST_PROBES, MULTICAST_DISCOVERY } from '../../src/probes/index.ts';
import { advertisedWebScopeTests, useAdvertisedWebTrap } from '../helpers/advertised-web.ts';
import { faultLineup, faultMatrix, udpRepliesTo } from '../helpers/fault-matrix.ts';
import { anyBytes, expectBoundedObservations, hostileInputs } from '../helpers/hostile-input.ts';
import { persona, probeContext, type Runner, sweepTargets, useFaultLab } from '../helpers/probe-lab.ts';

const HOST = '127.78.60.99';

function exchangeOf(bytes: Buffer, host = HOST): Exchange {
  return {
    type: 'exchange',
    host,
    port: 5050,
    transport: 'udp',
    protocol: 'dahua-legacy',
    probe: 'dahua-legacy-discovery',
    request: buildSearch().toString('hex'),
    ...encodeResponse(bytes),
  };
}

function fields(bytes: Buffer): Record<string, string> {
  return Object.fromEntries(observeDahuaLegacy(exchangeOf(bytes)).map((o) => [o.field, o.value]));
}

function values(obs: Observation[], field: string): string[] {
  return obs.filter((o) => o.field === field).map((o) => o.value);
}

/**
 * ASSEMBLED around the one real header: B3 00 23 01 says section 2 is 0x23 = 35 bytes, a 17-char
 * MAC and 18 more. The model is that of the unit DahuaConsole's author verified his tool on
 * (IPC-HDBW1320E-W, 15 chars), NUL-padded to 18 — the padding is our assumption. MAC: Dahua OUI
 * 3C:EF:8C with lab-made last octets; serial lab-made in the real 15-char format.
 */
const REAL_HEADER_PARTS: ReplyParts = {
  byte3: 0x01,
  mac: '3c:ef:8c:00:60:01',
  model: 'IPC-HDBW1320E-W\0\0\0',
  lines: ['SerialNo:2J0101FPAA60001'],
};

describe('the legacy search', () => {
  it('is the published 32 bytes: A3 01 00 01, zeros, 0x02 at offset 0x10', () => {
    const b = buildSearch();
    expect(b.toString('hex')).toBe('a3010001000000000000000000000000' + '02000000000000000000000000000000');
    expect(isSearch(b)).toBe(true);
  });

  it('the lab accepts both published forms (python-dvr sends 00 as byte 3) and nothing else', () => {
    const pydvr = buildSearch();
    pydvr[3] = 0x00;
    expect(isSearch(pydvr)).toBe(true);
    const other = buildSearch();
    other[0x10] = 0x05;
    expect(isSearch(other)).toBe(false);
    expect(isSearch(Buffer.concat([buildSearch(), Buffer.from([0])]))).toBe(false);
    expect(isSearch(buildReply(REAL_HEADER_PARTS))).toBe(false);
  });

  it('is a unicast host probe only, not skipped after a DHIP answer, with no broadcast form', () => {
    const probe = HOST_PROBES.find((p) => p.id === 'dahua-legacy-discovery');
    expect(probe?.protocol).toBe('dahua-legacy');
    expect(probe?.defaultPorts).toEqual([5050]);
    expect(probe?.skipIfMulticast).toBeUndefined();
    expect(MULTICAST_DISCOVERY.some((d) => d.protocol === 'dahua-legacy' || d.port === 5050)).toBe(false);
  });
});

describe('parseDahuaLegacy on the published facts (full replies ASSEMBLED)', () => {
  it('ASSEMBLED reply around the real header B3 00 23 01: byte 2 alone is the section-2 length', () => {
    const b = buildReply(REAL_HEADER_PARTS);
    expect(b.subarray(0, 4).toString('hex')).toBe('b3002301');
    // Read as a u16 at offset 2 (one UniversalScanner version did), the length would be 0x0123.
    expect(b.readUInt16LE(2)).toBe(0x0123);
    expect(b.length).toBe(SECTION1_LENGTH + 0x23 + 'SerialNo:2J0101FPAA60001\r\n'.length);
    expect(fields(b)).toEqual({
      'dahua_legacy.header': 'b3002301',
      'dahua_legacy.model': 'IPC-HDBW1320E-W',
      'dahua_legacy.serial': '2J0101FPAA60001',
      'mac.address': '3c:ef:8c:00:60:01',
    });
  });

  it('ASSEMBLED reply written byte by byte: every section-1 field at its published offset', () => {
    const s1 = Buffer.alloc(0x78);
    s1[0] = 0xb3;
    s1.writeUInt16LE(0x0102, 0x20); // version 258.400.0.16, a.b.c.d of four u16 LE
    s1.writeUInt16LE(400, 0x22);
    s1.writeUInt16LE(16, 0x26);
    s1.write('IPC-HDW1025C\0', 0x28, 'latin1');
    s1.set([192, 168, 1, 100], 0x38); // wire order is the dotted quad
    s1.set([255, 255, 255, 0], 0x3c);
    s1.set([192, 168, 1, 1], 0x40);
    s1.set([192, 168, 1, 1], 0x44);
    s1.set([0x50, 0x00], 0x5e); // 80, little-endian
    s1.set([0xbb, 0x01], 0x60); // 443
    s1.set([0x91, 0x93], 0x62); // 37777
    const s2 = Buffer.from('3C-EF-8C-00-60-02', 'latin1');
    const s3 = Buffer.from('SerialNo:2J0101FPAA60002\nIPv6Addr:fe80::1/64;gateway:fe80::\r\n', 'latin1');
    s1[2] = s2.length;
    s1.writeUInt16LE(s3.length, 0x14);
    const b = Buffer.concat([s1, s2, s3]);
    const parsed = parseDahuaLegacy(b);
    expect(parsed).toEqual({
      ok: true,
      device: {
        header: 'b3001100',
        mac: '3c:ef:8c:00:60:02',
        name: 'IPC-HDW1025C',
        version: '258.400.0.16',
        ipv4Address: '192.168.1.100',
        subnetMask: '255.255.255.0',
        gateway: '192.168.1.1',
        httpPort: 80,
        httpsPort: 443,
        port: 37777,
        serial: '2J0101FPAA60002',
        // UniversalScanner cuts IPv6Addr at ';' and '/' (the input line is synthetic).
        ipv6Address: 'fe80::1',
      },
    });
    // The responder's builder writes the same bytes for the same parts.
    const built = buildReply({
      byte3: 0,
      version: [0x0102, 400, 0, 16],
      name: 'IPC-HDW1025C',
      ipv4: '192.168.1.100',
      mask: '255.255.255.0',
      gateway: '192.168.1.1',
      dns: '192.168.1.1',
      httpPort: 80,
      httpsPort: 443,
      tcpPort: 37777,
      mac: '3C-EF-8C-00-60-02',
    });
    expect(built.subarray(0x20, 0x78).equals(s1.subarray(0x20))).toBe(true);
  });

  it('identifies a restricted Dahua device, with its model, from an ASSEMBLED reply alone', () => {
    const vendors = loadVendors();
    const k = { library: loadLibrary(), vendors, policies: [loadPolicy('uk-nil-2022', vendors)] };
    const { devices, findings } = analyse([exchangeOf(buildReply(REAL_HEADER_PARTS))], k);
    expect(devices[0]).toMatchObject({ maker: 'dahua', model: 'IPC-HDBW1320E-W', mac: '3c:ef:8c:00:60:01' });
    expect(findings.map((f) => f.severity)).toEqual(['restricted']);
    expect(findings[0]?.evidence.some((e) => e.field === 'dahua_legacy.header')).toBe(true);
  });

  it('refuses wrong magic, short datagrams, lengths beyond or short of the datagram, and a section 2 without a MAC', () => {
    const good = buildReply(REAL_HEADER_PARTS);
    const reasons = (b: Buffer) => {
      const p = parseDahuaLegacy(b);
      if (!p.ok) expect(observeDahuaLegacy(exchangeOf(b))).toEqual([]);
      return p.ok ? 'ok' : p.reason;
    };
    const magic = Buffer.from(good);
    magic[0] = 0xb0; // a DVRIP (TCP 37777) reply header, not discovery
    expect(reasons(magic)).toBe('not-dahua-legacy');
    expect(reasons(buildSearch())).toBe('not-dahua-legacy'); // our own request echoed
    expect(reasons(good.subarray(0, 0x77))).toBe('bad-length'); // 0xB3, but not even section 1
    expect(reasons(Buffer.alloc(0))).toBe('not-dahua-legacy');
    const beyond = Buffer.from(good);
    beyond.writeUInt16LE(beyond.readUInt16LE(0x14) + 1, 0x14);
    expect(reasons(beyond)).toBe('bad-length');
    expect(reasons(Buffer.concat([good, Buffer.from([0])]))).toBe('bad-length');
    expect(reasons(good.subarray(0, good.length - 1))).toBe('bad-length');
    const u16 = Buffer.from(good);
    u16.writeUInt16LE(0x0123, 2); // unchanged bytes, but a reader taking a u16 would disagree
    expect(reasons(u16)).toBe('ok');
    expect(reasons(buildReply({ mac: '3c:ef:8c:00:60' }))).toBe('no-mac');
    expect(reasons(buildReply({ mac: 'not-a-mac-address' }))).toBe('no-mac');
  });

  it('caps values, strips control characters and invalid UTF-8, and reports no all-zero version or 0.0.0.0', () => {
    const b = buildReply({
      mac: '3c:ef:8c:00:60:03',
      model: Buffer.from([0x49, 0x50, 0x43, 0x07, 0xc3, 0x28, 0xff, 0x2d, 0x58]),
      name: '\u001b[31mred',
      lines: [`SerialNo:${'S'.repeat(5000)}`],
    });
    const f = fields(b);
    expect(f['dahua_legacy.model']).toBe('IPC(-X');
    expect(f['dahua_legacy.name']).toBe('[31mred');
    expect(f['dahua_legacy.serial']?.length).toBe(256);
    expect(f['dahua_legacy.version']).toBeUndefined();
    expect(f['dahua_legacy.ipv4_address']).toBeUndefined();
    expect(f['dahua_legacy.http_port']).toBeUndefined();
  });
});

describe('parseDahuaLegacy on hostile input (property)', () => {
  function check(b: Buffer) {
    const parsed = parseDahuaLegacy(b);
    expect(typeof parsed.ok).toBe('boolean');
    expectBoundedObservations(observe(exchangeOf(b, '127.78.60.98')), { count: 10, length: 256 });
  }

  hostileInputs(check, [
    { name: 'never throws on arbitrary bytes', input: anyBytes(3000), runs: 300 },
    {
      name: 'never throws on 0xB3 datagrams with any section lengths',
      input: fc
        .tuple(fc.uint8Array({ minLength: 0x78, maxLength: 2000 }), fc.nat(255), fc.nat(65_535))
        .map(([raw, len2, len3]) => {
          const b = Buffer.from(raw);
          b[0] = 0xb3;
          b[2] = len2;
          b.writeUInt16LE(len3, 0x14);
          return b;
        }),
      runs: 300,
    },
  ]);

  it('never throws on consistent replies with arbitrary strings and lines', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.constantFrom('SerialNo:', 'IPv6Addr:', '::', ':'),
    );
    fc.assert(
      fc.property(
        fc.string({ maxLength: 300 }),
        fc.string({ maxLength: 20 }),
        fc.array(text, { maxLength: 40 }),
        fc.uint8Array({ maxLength: 200 }),
        (model, name, lines, junk) => {
          const parts: ReplyParts = {
            mac: '3c:ef:8c:00:60:04',
            model: Buffer.concat([Buffer.from(model), Buffer.from(junk)]),
            name,
            lines: lines.map((l) => l.replace(/[\r\n]/g, '')),
          };
          const b = buildReply(parts);
          expect(parseDahuaLegacy(b).ok).toBe(true);
          check(b);
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The unicast probe against the loopback lab: the real Dahua persona folder, and copies of it
// with one fault each.

describe('dahua-legacy-discovery against the loopback lab (the persona reply is ASSEMBLED)', () => {
  const FAULTS = [
    'hang',
    'garbage',
    'oversize',
    'duplicate',
    'flood',
    'wrong-source',
    'invalid-utf8',
    'bad-length',
  ] as const;
  const EMPTY = '127.78.61.250';
  const dahua = persona('dahua-ipc-hdw1025c');
  const lab = useFaultLab({
    base: '127.78.61.10',
    protocol: 'dahua-legacy',
    scope: ['127.78.61.0/24'],
    lineup: [{ key: 'normal', persona: 'dahua-ipc-hdw1025c' }, ...faultLineup('dahua-ipc-hdw1025c', FAULTS)],
  });
  const { at } = lab;
  const run = lab.runner(dahuaLegacyProbe, { timeoutMs: 4000, windowMs: 300 });
  /** Every run must end by its deadline plus a second (a bound, not a speed measurement). */
  const probe: Runner = (key, overrides = {}) =>
    withinDeadline(run(key, overrides), (overrides.timeoutMs ?? 4000) + 1000);

  /** Fails the test if the probe has not ended by `ms`. */
  async function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`did not end within ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  it('the Dahua persona: success, its model, serial, MAC, address and ports, one exchange', async () => {
    const { outcome, exchanges, observations } = await probe('normal');
    expect(outcome.status).toBe('success');
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]).toMatchObject({
      port: 5050,
      transport: 'udp',
      protocol: 'dahua-legacy',
      request: buildSearch().toString('hex'),
    });
    const f = Object.fromEntries(observations.map((o) => [o.field, o.value]));
    expect(f).toEqual({
      'dahua_legacy.header': 'b3001d01',
      'dahua_legacy.model': 'IPC-HDW1025C',
      'dahua_legacy.name': '2J0101FPAA9F3E2',
      'dahua_legacy.serial': '2J0101FPAA9F3E2',
      'dahua_legacy.ipv4_address': at.normal,
      'dahua_legacy.http_port': '20080',
      'dahua_legacy.port': '37777',
      'mac.address': dahua.mac,
    });
    expect(outcome.followUps).toEqual([{ probe: 'http', url: `http://${at.normal}:20080/` }]);
  });

  it('the persona reply alone names Dahua and the model the persona expects: restricted', async () => {
    const { exchanges } = await probe('normal');
    const vendors = loadVendors();
    const k = { library: loadLibrary(), vendors, policies: [loadPolicy('uk-nil-2022', vendors)] };
    const { devices, findings } = analyse(exchanges, k);
    expect(devices[0]).toMatchObject({ maker: dahua.expect.maker, model: dahua.expect.model });
    expect(findings.map((f) => f.severity)).toEqual([dahua.expect.finding]);
  });

  faultMatrix(probe, [
    {
      name: 'hang, and an address where nothing listens: no-response within the deadline',
      keys: ['hang', EMPTY],
      status: 'no-response',
      exchanges: 0,
    },
    {
      name: 'garbage: protocol-mismatch, nothing recorded',
      keys: 'garbage',
      status: 'protocol-mismatch',
      exchanges: 0,
    },
    {
      name: 'section lengths that run past the datagram: protocol-error, nothing recorded',
      keys: 'bad-length',
      status: 'protocol-error',
      exchanges: 0,
    },
    {
      name: 'oversize (a consistent 60,000-byte reply): success, every value capped',
      keys: 'oversize',
      status: 'success',
      exchanges: 1,
      observations: { atMost: 10 },
      check: ({ observations }) => {
        expect(values(observations, 'dahua_legacy.serial')).toEqual(['2J0101FPAA9F3E2']);
        for (const o of observations) expect(o.value.length).toBeLessThanOrEqual(256);
      },
    },
    { name: 'duplicate datagrams: recorded once', keys: 'duplicate', status: 'success', exchanges: 1 },
    {
      // The flood comes from this same process, so the window is generous (a bound, not a timing).
      name: 'a flood of 10,000 datagrams: ends, success, the reply kept once',
      keys: 'flood',
      overrides: { windowMs: 3000, timeoutMs: 8000 },
      status: 'success',
      exchanges: 1,
    },
    {
      name: 'a reply from an unexpected source address is dropped: no-response',
      keys: 'wrong-source',
      status: 'no-response',
      detail: /from other addresses dropped/,
      exchanges: 0,
    },
    {
      name: 'invalid UTF-8 in the model: success, the invalid bytes dropped',
      keys: 'invalid-utf8',
      status: 'success',
      check: ({ observations }) => {
        const model = values(observations, 'dahua_legacy.model')[0] ?? '';
        expect(model).toBe('IPC-(HDW1025C');
        expect(model.includes('\ufffd')).toBe(false);
      },
    },
  ]);

  it('an address outside the targets is never sent to: out-of-scope', async () => {
    const narrow = createScopeGuard(await buildTargetSet({ targets: ['127.78.61.200'] }));
    const outcome = await dahuaLegacyProbe.run(
      { host: at.normal ?? '' },
      probeContext(narrow, () => {}, { timeoutMs: 3000, windowMs: 300 }),
    );
    expect(outcome.status).toBe('out-of-scope');
  });

  it('the lab answers only the search, in either published form', async () => {
    const pydvr = buildSearch();
    pydvr[3] = 0x00;
    const other = buildSearch();
    other[0] = 0xa0; // a DVRIP login-family request
    const replies = await udpRepliesTo({ host: at.normal ?? '', port: 5050 }, '127.78.61.251', [
      other,
      Buffer.from('garbage'),
      buildSearch(),
      pydvr,
    ]);
    expect(replies).toBe(2);
  });
});

describe('the advertised web port goes through the scope guard', () => {
  const trap = useAdvertisedWebTrap({
    net: '127.78.62',
    udpPort: 5050,
    answer: (msg, address, port) =>
      isSearch(msg) ? buildReply({ ...REAL_HEADER_PARTS, ipv4: address, httpPort: port }) : undefined,
  });
  advertisedWebScopeTests(trap, 'dahua-legacy-discovery', 'dahua-legacy');
});

describe('one more host probe: a busy host still sweeps without a listener warning', () => {
  // Each probe of a host takes a deadline on the host's signal: perHost (4) service probes plus
  // every host probe (this one made them 7) exceeded Node's default of 10 listeners, and the CLI
  // printed MaxListenersExceededWarning on stderr for any host with four camera ports open.
  const DEVICE = '127.78.63.10';
  const PORTS = [20080, 28080, 28899, 20554, 28554];
  const servers: Server[] = [];
  const sockets = new Set<TcpSocket>();
  beforeAll(async () => {
    for (const port of PORTS) {
      const s = createServer((c) => {
        sockets.add(c);
        c.on('error', () => {});
        c.end('HTTP/1.1 200 OK\r\nCONTENT-LENGTH: 0\r\n\r\n');
      });
      await new Promise<void>((r) => s.listen(port, DEVICE, r));
      servers.push(s);
    }
  });
  afterAll(async () => {
    for (const c of sockets) c.destroy();
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  });

  it('no MaxListenersExceededWarning while every probe of the host runs at once', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const { hosts } = await sweepTargets(
        [DEVICE],
        PORTS.map((port) => ({ port, service: 'http' as const })),
        { concurrency: 512 }, // the CLI default: every probe of the host may run at once
      );
      expect(hosts.map((h) => h.host)).toEqual([DEVICE]);
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.includes('MaxListeners'))).toEqual([]);
  });
});
