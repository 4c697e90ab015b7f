/**
 * mDNS / DNS-SD: the pure parser on real published answers (Hikvision _CGI._tcp, Axis
 * _axis-video._tcp), hostile input (property-based), the follow-up round for PTR-only responders,
 * and the unicast probe against the loopback lab with each fault. Addresses: 127.78.30.0/24, and
 * 127.78.38.200 as an address outside the targets (never sent to).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../src/core/exchange.ts';
import type { Observation } from '../../src/core/observation.ts';
import { isField } from '../../src/observations/fields.ts';
import { mdnsDiscovery } from '../../src/probes/mdns/discovery.ts';
import { buildPtrQuery, dnsPacket, SERVICE_TYPES } from '../../src/probes/mdns/message.ts';
import { followUpQuestions, observeMdns, parseMdns } from '../../src/probes/mdns/parse.ts';
import { mdnsExchange, mdnsUnicastProbe } from '../../src/probes/mdns/probe.ts';
import { faultLineup, faultMatrix } from '../helpers/fault-matrix.ts';
import { anyBytes, expectBoundedObservations, hostileInputs } from '../helpers/hostile-input.ts';
import { useFaultLab } from '../helpers/probe-lab.ts';

const HOST = '127.78.30.99';
function exchangeOf(bytes: Buffer, host = HOST): Exchange {
  return mdnsExchange(host, 5353, 'udp', 'mdns-unicast', buildPtrQuery(1), bytes);
}

function values(obs: Observation[], field: string): string[] {
  return obs.filter((o) => o.field === field).map((o) => o.value);
}

/** 128keaton/hikvision-mdns test/cameras.json, first camera: the records as captured (multicast answer, id 0). */
function hikvisionCapture(): Buffer {
  const inst = 'HIKVISION DS-2CD2722FWD-IZS - 733050075._CGI._tcp.local';
  const host = 'DS-2CD2722FWD-IZS20170321BBWR733050075.local';
  return dnsPacket.encode({
    type: 'response',
    id: 0,
    flags: dnsPacket.AUTHORITATIVE_ANSWER,
    answers: [{ name: '_CGI._tcp.local', type: 'PTR', ttl: 4500, data: inst }],
    additionals: [
      { name: inst, type: 'TXT', ttl: 4500, flush: true, data: ['path=/'] },
      {
        name: inst,
        type: 'SRV',
        ttl: 120,
        flush: true,
        data: { priority: 0, weight: 0, port: 80, target: host },
      },
      { name: host, type: 'A', ttl: 120, flush: true, data: '10.0.1.164' },
      { name: host, type: 'AAAA', ttl: 120, flush: true, data: 'fd0e:2b24:7e05:1:1a68:cbff:fe15:b284' },
      { name: host, type: 'AAAA', ttl: 120, flush: true, data: 'fe80::1a68:cbff:fe15:b284' },
    ],
  });
}

/** Cacsjep/oadm MdnsResponseAggregatorTests: the AXIS P3265-V unicast answer's records. */
function axisCapture(id: number): Buffer {
  const inst = 'AXIS P3265-V - B8A44F631339._axis-video._tcp.local';
  return dnsPacket.encode({
    type: 'response',
    id,
    flags: dnsPacket.AUTHORITATIVE_ANSWER,
    questions: [{ name: '_axis-video._tcp.local', type: 'PTR', class: 'IN' }],
    answers: [{ name: '_axis-video._tcp.local', type: 'PTR', ttl: 10, data: inst }],
    additionals: [
      {
        name: inst,
        type: 'SRV',
        ttl: 10,
        data: { priority: 0, weight: 0, port: 80, target: 'axis-b8a44f631339.local' },
      },
      { name: inst, type: 'TXT', ttl: 10, data: ['macaddress=B8A44F631339'] },
      { name: 'axis-b8a44f631339.local', type: 'A', ttl: 10, data: '10.0.0.48' },
    ],
  });
}

describe('parseMdns / observeMdns on real published answers', () => {
  it('Hikvision _CGI._tcp: service, instance with model and serial tail, SRV host = full serial, TXT, addresses', () => {
    const obs = observeMdns(exchangeOf(hikvisionCapture()));
    expect(values(obs, 'mdns.service')).toEqual(['_CGI._tcp.local']);
    expect(values(obs, 'mdns.instance')).toEqual(['HIKVISION DS-2CD2722FWD-IZS - 733050075._CGI._tcp.local']);
    expect(values(obs, 'mdns.host')).toEqual(['DS-2CD2722FWD-IZS20170321BBWR733050075.local']);
    expect(values(obs, 'mdns.txt')).toEqual(['path=/']);
    expect(values(obs, 'mdns.address')).toEqual([
      '10.0.1.164',
      'fd0e:2b24:7e05:1:1a68:cbff:fe15:b284',
      'fe80::1a68:cbff:fe15:b284',
    ]);
    for (const o of obs) {
      expect(isField(o.field)).toBe(true);
      expect(o.host).toBe(HOST);
    }
    // Everything came in one answer: nothing to ask again.
    expect(followUpQuestions(parseMdns(hikvisionCapture()), new Set())).toEqual([]);
    // An answer over IPv6 speaks for the addresses its A/AAAA records give (see discovery-v6.test.ts).
    expect(mdnsDiscovery.advertises?.(hikvisionCapture())).toEqual([
      '10.0.1.164',
      'fd0e:2b24:7e05:1:1a68:cbff:fe15:b284',
      'fe80::1a68:cbff:fe15:b284',
    ]);
  });

  it('Axis _axis-video._tcp: instance, host, TXT macaddress, and the MAC as mac.address', () => {
    const obs = observeMdns(exchangeOf(axisCapture(4242)));
    expect(values(obs, 'mdns.instance')).toEqual(['AXIS P3265-V - B8A44F631339._axis-video._tcp.local']);
    expect(values(obs, 'mdns.host')).toEqual(['axis-b8a44f631339.local']);
    expect(values(obs, 'mdns.txt')).toEqual(['macaddress=B8A44F631339']);
    expect(values(obs, 'mac.address')).toEqual(['b8:a4:4f:63:13:39']);
  });

  it('a PTR-only answer calls for SRV and TXT, then an SRV without its address calls for A; nothing is asked twice', () => {
    const inst = 'Cam - AABBCCDDEEFF._axis-video._tcp.local';
    const ptrOnly = dnsPacket.encode({
      type: 'response',
      id: 7,
      answers: [{ name: '_axis-video._tcp.local', type: 'PTR', ttl: 10, data: inst }],
    });
    const asked = new Set<string>();
    expect(followUpQuestions(parseMdns(ptrOnly), asked)).toEqual([
      { name: inst, type: 'SRV' },
      { name: inst, type: 'TXT' },
    ]);
    expect(followUpQuestions(parseMdns(ptrOnly), asked)).toEqual([]);
    const srvOnly = dnsPacket.encode({
      type: 'response',
      id: 8,
      answers: [{ name: inst, type: 'SRV', ttl: 10, data: { port: 443, target: 'axis-aabbccddeeff.local' } }],
    });
    expect(followUpQuestions(parseMdns(srvOnly), asked)).toEqual([
      { name: 'axis-aabbccddeeff.local', type: 'A' },
    ]);
  });

  it('the DNS-SD meta answer lists service types as mdns.service, never as instances', () => {
    const meta = dnsPacket.encode({
      type: 'response',
      id: 9,
      answers: ['_CGI._tcp.local', '_http._tcp.local'].map((t) => ({
        name: '_services._dns-sd._udp.local',
        type: 'PTR' as const,
        ttl: 10,
        data: t,
      })),
    });
    const obs = observeMdns(exchangeOf(meta));
    expect(values(obs, 'mdns.service')).toEqual(['_CGI._tcp.local', '_http._tcp.local']);
    expect(values(obs, 'mdns.instance')).toEqual([]);
    expect(followUpQuestions(parseMdns(meta), new Set())).toEqual([]);
  });

  it('a query (not a response), garbage, a self-pointing name and an empty packet yield nothing and do not throw', () => {
    const selfPointer = Buffer.alloc(24);
    selfPointer.writeUInt16BE(0x8400, 2);
    selfPointer.writeUInt16BE(1, 6);
    selfPointer.writeUInt16BE(0xc00c, 12);
    for (const bytes of [
      buildPtrQuery(3),
      Buffer.from([0xff, 0x00, 0xc3, 0x28]),
      selfPointer,
      Buffer.alloc(0),
    ]) {
      expect(observeMdns(exchangeOf(bytes))).toEqual([]);
    }
    expect(parseMdns(selfPointer).ok).toBe(false);
  });

  it('the discovery run asks one packet of PTR questions and follows a PTR-only answer up by unicast', () => {
    const run = mdnsDiscovery.prepare();
    expect(run.payloads).toHaveLength(1);
    const query = dnsPacket.decode(run.payloads[0] as Buffer);
    expect(query.questions?.map((q) => `${q.name} ${q.type}`)).toEqual(SERVICE_TYPES.map((t) => `${t} PTR`));
    const id = query.id ?? 0;
    const inst = 'AXIS M2036-LE - B8A44F002036._axis-video._tcp.local';
    const ptrOnly = dnsPacket.encode({
      type: 'response',
      id,
      answers: [{ name: '_axis-video._tcp.local', type: 'PTR', ttl: 10, data: inst }],
    });
    expect(run.accepts(ptrOnly)).toBe(true);
    expect(run.accepts(axisCapture((id + 1) % 65_536 || 1))).toBe(false);
    const more = run.followUp?.(ptrOnly, '127.78.30.50');
    expect(more).toBeInstanceOf(Buffer);
    const followUp = dnsPacket.decode(more as Buffer);
    expect(followUp.questions?.map((q) => `${q.name} ${q.type}`)).toEqual([`${inst} SRV`, `${inst} TXT`]);
    // The answer to the follow-up (its own id) is accepted and recorded against that query.
    const answer = dnsPacket.encode({
      type: 'response',
      id: followUp.id ?? 0,
      answers: [{ name: inst, type: 'TXT', ttl: 10, data: ['macaddress=B8A44F002036'] }],
    });
    expect(run.accepts(answer)).toBe(true);
    expect(run.requestFor(answer)).toBe((more as Buffer).toString('base64'));
    // A repeat of the same PTR answer asks nothing again.
    expect(run.followUp?.(ptrOnly, '127.78.30.50')).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// Property: hostile input never throws; output is bounded and registered.

const NAMES = [
  '_CGI._tcp.local',
  '_axis-video._tcp.local',
  '_services._dns-sd._udp.local',
  'x.local',
  'a'.repeat(63),
];
const label = fc.oneof(fc.constantFrom(...NAMES), fc.stringMatching(/^[A-Za-z0-9 _-]{1,40}$/));
const record = fc.oneof(
  fc.record({ name: label, type: fc.constant('PTR' as const), data: label }),
  fc.record({
    name: label,
    type: fc.constant('TXT' as const),
    data: fc.array(
      fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u)),
      { maxLength: 80 },
    ),
  }),
  fc.record({
    name: label,
    type: fc.constant('SRV' as const),
    data: fc.record({ target: label, port: fc.integer({ min: 0, max: 65535 }) }),
  }),
  fc.record({ name: label, type: fc.constant('A' as const), data: fc.ipV4() }),
);
const generatedPacket = fc
  .record({ id: fc.integer({ min: 0, max: 65535 }), answers: fc.array(record, { maxLength: 300 }) })
  .map((p) => {
    try {
      return dnsPacket.encode({ type: 'response', id: p.id, answers: p.answers });
    } catch {
      return Buffer.alloc(0);
    }
  });

function checkBounded(bytes: Buffer): void {
  const parsed = parseMdns(bytes);
  if (parsed.ok) {
    const total = parsed.ptr.length + parsed.srv.length + parsed.txt.length + parsed.addresses.length;
    expect(total).toBeLessThanOrEqual(256);
    for (const t of parsed.txt) expect(t.entries.length).toBeLessThanOrEqual(64);
  }
  expectBoundedObservations(observeMdns(exchangeOf(bytes, '127.78.30.98')), {
    count: 512,
    length: 255,
    host: '127.78.30.98',
  });
  expect(followUpQuestions(parsed, new Set()).length).toBeLessThanOrEqual(32);
}

describe('parseMdns / observeMdns on hostile input (property)', () => {
  const header = fc.uint8Array({ minLength: 12, maxLength: 12 }).map((h) => {
    const b = Buffer.from(h);
    b.writeUInt16BE(0x8400, 2);
    return b;
  });
  hostileInputs(checkBounded, [
    {
      name: 'never throws on arbitrary bytes, including DNS-looking headers',
      input: fc.tuple(header, anyBytes(2000)).map(([h, rest]) => Buffer.concat([h, rest])),
      runs: 300,
    },
    { name: 'bounds well-formed answers with too many, too long records', input: generatedPacket, runs: 60 },
  ]);
});

// ---------------------------------------------------------------------------------------------
// The unicast probe against the loopback lab.

describe('mdnsUnicastProbe against the loopback lab', () => {
  const lab = useFaultLab({
    base: '127.78.30.10',
    protocol: 'mdns',
    scope: ['127.78.30.0/24'],
    lineup: [
      { key: 'hikvision', persona: 'hikvision-ds-2cd2385g1' },
      { key: 'axis', persona: 'axis-m2036' },
      ...faultLineup('axis-m2036', [
        'ptr-only',
        'hang',
        'garbage',
        'wrong-source',
        'oversize',
        'bad-pointer',
      ]),
      ...faultLineup('hikvision-ds-2cd2385g1', ['duplicate', 'flood']),
    ],
  });
  const { at } = lab;
  const probe = lab.runner(mdnsUnicastProbe, { observe: observeMdns, timeoutMs: 8000, windowMs: 400 });

  it('Hikvision persona: the _CGI._tcp instance with this unit’s model and serial, recorded as base64 DNS', async () => {
    const { outcome, exchanges, observations } = await probe('hikvision');
    expect(outcome.status).toBe('success');
    expect(exchanges.length).toBe(1);
    expect(exchanges[0]).toMatchObject({
      host: at.hikvision,
      port: 5353,
      protocol: 'mdns',
      encoding: 'base64',
    });
    expect(values(observations, 'mdns.instance')).toEqual([
      'HIKVISION DS-2CD2385G1-I - E33842150._CGI._tcp.local',
    ]);
    expect(values(observations, 'mdns.host')).toEqual(['DS-2CD2385G1-I20200414AAWRE33842150.local']);
    expect(values(observations, 'mdns.address')).toEqual([at.hikvision]);
  });

  it('Axis persona: instance, host and the MAC from TXT', async () => {
    const { outcome, observations } = await probe('axis');
    expect(outcome.status).toBe('success');
    expect(values(observations, 'mdns.instance')).toEqual([
      'AXIS M2036-LE - B8A44F002036._axis-video._tcp.local',
    ]);
    expect(values(observations, 'mac.address')).toEqual(['b8:a4:4f:00:20:36']);
  });

  it('a responder that answers PTR only is still resolved by the follow-up queries', async () => {
    const { outcome, exchanges, observations } = await probe('ptr-only');
    expect(outcome.status).toBe('success');
    expect(exchanges.length).toBeGreaterThanOrEqual(2);
    expect(values(observations, 'mdns.host')).toEqual(['axis-b8a44f002036.local']);
    expect(values(observations, 'mdns.txt')).toEqual(['macaddress=B8A44F002036']);
    expect(values(observations, 'mdns.address')).toEqual([at['ptr-only']]);
  });

  faultMatrix(probe, [
    { name: 'silence is no-response within the deadline', keys: 'hang', status: 'no-response', exchanges: 0 },
    {
      name: 'garbage and a self-pointing name are protocol errors, not crashes',
      keys: ['garbage', 'bad-pointer'],
      status: 'protocol-error',
      exchanges: 0,
    },
    { name: 'duplicate datagrams are recorded once', keys: 'duplicate', status: 'success', exchanges: 1 },
    {
      name: 'a flood of 10,000 datagrams is capped: the answer is kept once, the probe ends',
      keys: 'flood',
      status: 'success',
      exchanges: 1,
    },
    {
      name: 'an answer from an unexpected source address is ignored',
      keys: 'wrong-source',
      status: 'no-response',
      exchanges: 0,
    },
    {
      name: 'an oversize answer (1,500 TXT strings in one 60 KB datagram) is bounded',
      keys: 'oversize',
      status: 'success',
      check: ({ observations }) => expect(values(observations, 'mdns.txt').length).toBe(64),
    },
    {
      name: 'a host outside the targets is never queried',
      keys: '127.78.38.200',
      status: 'out-of-scope',
      exchanges: 0,
    },
  ]);
});
