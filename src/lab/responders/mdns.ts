/**
 * Lab responder for mDNS / DNS-SD (UDP 5353), built on multicast-dns: answers one-shot queries by
 * unicast to the querier's address and port, echoing the query id and questions (RFC 6762 §6.7).
 * Loopback: bound to the persona's address; netns: the wildcard, joined to 224.0.0.251 and
 * (IPv6) ff02::fb.
 */
import type { Socket } from 'node:dgram';
import type * as DnsPacket from 'dns-packet';
import makeMdns from 'multicast-dns';
import {
  buildPtrQuery,
  dnsPacket,
  MDNS_GROUP_V4,
  MDNS_GROUP_V6,
  MDNS_PORT,
  SERVICE_TYPES,
} from '../../probes/mdns/message.ts';
import { mdnsExchange } from '../../probes/mdns/probe.ts';
import { renderTemplate } from '../template.ts';
import {
  closeUdp,
  floodInBatches,
  runningUdp,
  sendTo,
  startUdpResponder,
  startUdpResponderV6,
  wrongSourceSocket,
} from '../udp-responder.ts';
import { PROVENANCE_SCHEMA } from './schema.ts';
import type { Responder, ResponderContext } from './types.ts';

export interface MdnsService {
  /** Service type, e.g. _CGI._tcp.local */
  type: string;
  /** Instance label (without the type), e.g. "HIKVISION DS-2CD2722FWD-IZS - 733050075". */
  instance: string;
  /** SRV target host name, e.g. axis-b8a44f631339.local */
  host: string;
  /** SRV port; "{{port:http}}" follows the lab's HTTP port. */
  port: number | string;
  txt?: string[];
}

export interface MdnsConfig {
  provenance: { fact: string; source: string }[];
  /**
   * true: answer a PTR question with the PTR record only, and SRV/TXT/A only when asked for them
   * directly (as some cameras do; DEPENDENCIES.md "camera m"). The fault `ptr-only` does the same.
   */
  ptrOnly?: boolean;
  services: MdnsService[];
}

/**
 * Faults: hang (never answers), garbage, duplicate (3 copies), flood (10,000 datagrams), oversize
 * (one ~60 KB answer of 1,500 TXT strings), wrong-source (the answer comes from 127.0.0.1),
 * bad-pointer (a compression pointer that points forward), ptr-only (see MdnsConfig.ptrOnly).
 */
export type MdnsFault =
  | 'hang'
  | 'garbage'
  | 'duplicate'
  | 'flood'
  | 'oversize'
  | 'wrong-source'
  | 'bad-pointer'
  | 'ptr-only';

const schema = {
  type: 'object',
  required: ['provenance', 'services'],
  additionalProperties: false,
  properties: {
    provenance: PROVENANCE_SCHEMA,
    ptrOnly: { type: 'boolean' },
    services: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['type', 'instance', 'host', 'port'],
        additionalProperties: false,
        properties: {
          type: { type: 'string', pattern: '^_[^.]+\\._(tcp|udp)\\.local$' },
          instance: { type: 'string', minLength: 1 },
          host: { type: 'string', minLength: 1 },
          port: { oneOf: [{ type: 'integer', minimum: 1, maximum: 65535 }, { type: 'string' }] },
          txt: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
};

/** {{macUpper}} (AABBCCDDEEFF, as Axis writes it) on top of the lab's placeholders. */
export function renderMdns(
  text: string,
  ctx: Pick<ResponderContext, 'host' | 'httpPort' | 'persona'>,
): string {
  const mac = ctx.persona.mac ?? '00:00:00:00:00:00';
  return renderTemplate(text.replaceAll('{{macUpper}}', mac.replaceAll(':', '').toUpperCase()), {
    host: ctx.host,
    httpPort: ctx.httpPort,
    ...(ctx.persona.mac ? { mac: ctx.persona.mac } : {}),
  });
}

interface Records {
  ptr: DnsPacket.Answer[];
  byName: Map<string, DnsPacket.Answer[]>;
  types: string[];
}

/** Legacy unicast answers carry TTLs of at most 10 s (RFC 6762 §6.7). */
const TTL = 10;

function buildRecords(
  cfg: MdnsConfig,
  ctx: Pick<ResponderContext, 'host' | 'httpPort' | 'persona'>,
): Records {
  const byName = new Map<string, DnsPacket.Answer[]>();
  const put = (a: DnsPacket.Answer) => {
    const key = a.name.toLowerCase();
    byName.set(key, [...(byName.get(key) ?? []), a]);
  };
  const ptr: DnsPacket.Answer[] = [];
  for (const s of cfg.services) {
    const instance = `${renderMdns(s.instance, ctx)}.${s.type}`;
    const host = renderMdns(s.host, ctx);
    const port = Number(renderMdns(String(s.port), ctx));
    ptr.push({ name: s.type, type: 'PTR', ttl: TTL, data: instance });
    put({ name: instance, type: 'SRV', ttl: TTL, data: { target: host, port, priority: 0, weight: 0 } });
    put({ name: instance, type: 'TXT', ttl: TTL, data: (s.txt ?? []).map((t) => renderMdns(t, ctx)) });
    if (!(byName.get(host.toLowerCase()) ?? []).some((a) => a.type === 'A'))
      put({ name: host, type: 'A', ttl: TTL, data: ctx.host });
  }
  return { ptr, byName, types: [...new Set(cfg.services.map((s) => s.type))] };
}

/** What the persona answers to one query; PTR-only mode leaves SRV/TXT/A to direct questions. */
export function answer(
  records: Records,
  questions: readonly DnsPacket.Question[],
  ptrOnly: boolean,
): { answers: DnsPacket.Answer[]; additionals: DnsPacket.Answer[] } {
  const answers: DnsPacket.Answer[] = [];
  const additionals: DnsPacket.Answer[] = [];
  const addAll = (list: DnsPacket.Answer[], into: DnsPacket.Answer[]) => {
    for (const a of list) if (!answers.includes(a) && !additionals.includes(a)) into.push(a);
  };
  const forName = (name: string) => records.byName.get(name.toLowerCase()) ?? [];
  for (const q of questions) {
    const name = q.name.toLowerCase();
    const qtype: string = q.type;
    if (q.type === 'PTR' && name === '_services._dns-sd._udp.local') {
      for (const t of records.types)
        answers.push({ name: '_services._dns-sd._udp.local', type: 'PTR', ttl: TTL, data: t });
      continue;
    }
    if (qtype === 'PTR' || qtype === 'ANY') {
      const ptrs = records.ptr.filter((p) => p.name.toLowerCase() === name);
      addAll(ptrs, answers);
      if (!ptrOnly)
        for (const p of ptrs) {
          const recs = forName(String((p as { data?: unknown }).data));
          addAll(recs, additionals);
          for (const r of recs)
            if (r.type === 'SRV')
              addAll(forName((r as { data: { target: string } }).data.target), additionals);
        }
    }
    if (qtype !== 'PTR') {
      const recs = forName(q.name).filter((r) => qtype === 'ANY' || r.type === qtype);
      addAll(recs, answers);
      // An SRV answer brings its host's address along (RFC 6763 §12.2).
      for (const r of recs)
        if (r.type === 'SRV') addAll(forName((r as { data: { target: string } }).data.target), additionals);
    }
  }
  return { answers, additionals };
}

function faulty(fault: MdnsFault, normal: Buffer, id: number): Buffer {
  switch (fault) {
    case 'garbage':
      return Buffer.from([0x00, 0x01, 0x84, 0x00, 0xff, 0xff, 0xc3, 0x28, 0x00]);
    case 'bad-pointer': {
      // Header (id, response, 0 questions, 1 answer), then a name that is a pointer to itself.
      const b = Buffer.alloc(24);
      b.writeUInt16BE(id, 0);
      b.writeUInt16BE(0x8400, 2);
      b.writeUInt16BE(1, 6);
      b.writeUInt16BE(0xc00c, 12);
      return b;
    }
    case 'oversize':
      return dnsPacket.encode({
        type: 'response',
        id,
        flags: dnsPacket.AUTHORITATIVE_ANSWER,
        answers: [
          {
            name: 'x._http._tcp.local',
            type: 'TXT',
            ttl: TTL,
            data: Array.from({ length: 1_500 }, (_, i) => `k${i}=${'v'.repeat(30)}`),
          },
        ],
      });
    default:
      return normal;
  }
}

export const mdnsResponder: Responder = {
  protocol: 'mdns',
  file: 'mdns.yaml',
  schema,
  sampleExchanges(config, ctx) {
    const query = buildPtrQuery(1);
    const questions = SERVICE_TYPES.map((name) => ({ name, type: 'PTR' as const, class: 'IN' as const }));
    const { answers, additionals } = answer(buildRecords(config as MdnsConfig, ctx), questions, false);
    const reply = dnsPacket.encode({
      type: 'response',
      id: 1,
      flags: dnsPacket.AUTHORITATIVE_ANSWER,
      questions,
      answers,
      additionals,
    });
    return [mdnsExchange(ctx.host, MDNS_PORT, 'udp', 'mdns-unicast', query, reply)];
  },
  async start(config, ctx) {
    const cfg = config as MdnsConfig;
    const records = buildRecords(cfg, ctx);
    const fault = ctx.fault as MdnsFault | undefined;
    const ptrOnly = cfg.ptrOnly === true || fault === 'ptr-only';
    const alt = await wrongSourceSocket(ctx);
    const listen = {
      host: ctx.host,
      port: MDNS_PORT,
      multicast: ctx.multicast,
      onMessage() {
        // multicast-dns (below) decodes and answers.
      },
    };
    const sockets = [await startUdpResponder({ ...listen, group: MDNS_GROUP_V4 })];
    const v6 = await startUdpResponderV6({ ...listen, group: MDNS_GROUP_V6 }).catch(async (err) => {
      await closeUdp(sockets[0] as Socket);
      throw err;
    });
    if (v6) sockets.push(v6);
    for (const socket of sockets) {
      const mdns = makeMdns({ socket, bind: false, multicast: false });
      mdns.on('error', () => {});
      mdns.on('warning', () => {});
      mdns.on('query', (query, rinfo) => {
        if (fault === 'hang') return;
        const { answers, additionals } = answer(records, query.questions ?? [], ptrOnly);
        if (answers.length === 0) return; // mDNS responders stay silent about what they lack
        const id = query.id ?? 0;
        const response = {
          type: 'response' as const,
          id,
          flags: dnsPacket.AUTHORITATIVE_ANSWER,
          questions: query.questions ?? [],
          answers,
          additionals,
        };
        const to = { port: rinfo.port, address: rinfo.address };
        if (!fault || fault === 'ptr-only') {
          mdns.respond(response, to);
          return;
        }
        const normal = dnsPacket.encode(response);
        if (fault === 'wrong-source' && alt) {
          sendTo(alt, rinfo, normal);
          return;
        }
        if (fault === 'flood') {
          floodInBatches((bytes) => sendTo(socket, rinfo, bytes), normal);
          return;
        }
        const copies = fault === 'duplicate' ? 3 : 1;
        for (let i = 0; i < copies; i++) sendTo(socket, rinfo, faulty(fault, normal, id));
      });
    }
    return runningUdp([...sockets, alt]);
  },
};
