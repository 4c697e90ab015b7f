import type { Exchange } from '../../core/exchange.ts';
import { responseBytes } from '../../core/exchange.ts';
import type { Observation } from '../../core/observation.ts';
import { observationFrom } from '../../core/observation.ts';
import type { NeighbourField } from '../neighbour/fields.ts';
import { normaliseMac } from '../wsd/parse.ts';
import type { MdnsField } from './fields.ts';
import { dnsPacket, type MdnsQuestion } from './message.ts';

/** The fields this parser may produce. */
type FieldName = MdnsField | NeighbourField;

/** Largest datagram we decode (a UDP payload cannot be longer). */
export const MAX_PACKET_BYTES = 65_507;
export const MAX_RECORDS = 256;
export const MAX_TXT_ENTRIES = 64;
export const MAX_VALUE = 255;
export const MAX_OBSERVATIONS = 512;
const MAX_FOLLOW_UP_QUESTIONS = 32;

export interface MdnsRecords {
  id: number;
  response: boolean;
  /** Names asked in the packet's question section (responders echo them in unicast answers). */
  questions: string[];
  ptr: { owner: string; target: string }[];
  srv: { owner: string; target: string; port: number }[];
  txt: { owner: string; entries: string[] }[];
  addresses: { owner: string; address: string }[];
}

export type MdnsParse = ({ ok: true } & MdnsRecords) | { ok: false; reason: string };

const META = '_services._dns-sd._udp.local';
const SERVICE_TYPE = /^_[^.]{1,63}\._(?:tcp|udp)\.local$/i;

function cut(s: string): string {
  return s.length > MAX_VALUE ? s.slice(0, MAX_VALUE) : s;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? cut(v.replace(/\.$/, '')) : undefined;
}

function txtEntries(data: unknown): string[] {
  const list = Array.isArray(data) ? data : [data];
  const out: string[] = [];
  for (const item of list.slice(0, MAX_TXT_ENTRIES)) {
    const text = Buffer.isBuffer(item) ? item.toString('utf8') : typeof item === 'string' ? item : '';
    if (text) out.push(cut(text));
  }
  return out;
}

/** Pure: one DNS packet → its records by kind, bounded. Never throws. */
export function parseMdns(bytes: Buffer): MdnsParse {
  if (bytes.length === 0) return { ok: false, reason: 'empty' };
  if (bytes.length > MAX_PACKET_BYTES) return { ok: false, reason: `packet over ${MAX_PACKET_BYTES} bytes` };
  if (bytes.length < 12) return { ok: false, reason: 'shorter than a DNS header' };
  // Each question takes at least 5 bytes and each record 11: counts the packet cannot hold are a
  // lie, refused before decoding (the decoder would otherwise walk tens of thousands of entries).
  const qd = bytes.readUInt16BE(4);
  const rr = bytes.readUInt16BE(6) + bytes.readUInt16BE(8) + bytes.readUInt16BE(10);
  if (qd * 5 + rr * 11 > bytes.length - 12) return { ok: false, reason: 'record counts exceed the packet' };
  let decoded: ReturnType<typeof dnsPacket.decode>;
  try {
    decoded = dnsPacket.decode(bytes);
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message.slice(0, 200) : 'not a DNS packet' };
  }
  const out: MdnsRecords = {
    id: typeof decoded.id === 'number' ? decoded.id : 0,
    response: decoded.type === 'response',
    questions: (decoded.questions ?? [])
      .slice(0, MAX_RECORDS)
      .flatMap((q) => (str(q.name) !== undefined ? [str(q.name) as string] : [])),
    ptr: [],
    srv: [],
    txt: [],
    addresses: [],
  };
  const records = [
    ...(decoded.answers ?? []),
    ...(decoded.authorities ?? []),
    ...(decoded.additionals ?? []),
  ];
  for (const r of records.slice(0, MAX_RECORDS)) {
    const owner = str(r.name);
    if (owner === undefined) continue;
    const data: unknown = (r as { data?: unknown }).data;
    switch (r.type) {
      case 'PTR': {
        const target = str(data);
        if (target) out.ptr.push({ owner, target });
        break;
      }
      case 'SRV': {
        const d = data as { target?: unknown; port?: unknown } | undefined;
        const target = str(d?.target);
        if (target !== undefined)
          out.srv.push({ owner, target, port: typeof d?.port === 'number' ? d.port : 0 });
        break;
      }
      case 'TXT':
        out.txt.push({ owner, entries: txtEntries(data) });
        break;
      case 'A':
      case 'AAAA': {
        const address = str(data);
        if (address) out.addresses.push({ owner, address });
        break;
      }
      default:
        break;
    }
  }
  return { ok: true, ...out };
}

const lower = (s: string) => s.toLowerCase();

/** True when the packet is a response to our query: our id, or (id 0) an answer about a name we asked. */
export function answersQuery(parsed: MdnsParse, id: number, asked: ReadonlySet<string>): boolean {
  if (!parsed.ok || !parsed.response) return false;
  if (parsed.id === id) return true;
  if (parsed.id !== 0) return false;
  const owners = [...parsed.ptr, ...parsed.srv, ...parsed.txt, ...parsed.addresses].map((r) =>
    lower(r.owner),
  );
  return owners.some((o) => asked.has(o));
}

/** Instances a PTR named (the DNS-SD meta-query names types, not instances). */
function instancesOf(p: MdnsRecords): string[] {
  return p.ptr.filter((r) => lower(r.owner) !== META && !SERVICE_TYPE.test(r.target)).map((r) => r.target);
}

/**
 * The follow-up questions a reply calls for: SRV and TXT for instances whose records did not come
 * with the PTR (PTR-only responders), and A for SRV targets without an address. `asked` (lower-case
 * "name type") suppresses questions already sent; it is updated.
 */
export function followUpQuestions(parsed: MdnsParse, asked: Set<string>): MdnsQuestion[] {
  if (!parsed.ok) return [];
  const out: MdnsQuestion[] = [];
  const has = (list: { owner: string }[], name: string) => list.some((r) => lower(r.owner) === lower(name));
  const ask = (name: string, type: MdnsQuestion['type']) => {
    const key = `${lower(name)} ${type}`;
    if (asked.has(key) || out.length >= MAX_FOLLOW_UP_QUESTIONS) return;
    asked.add(key);
    out.push({ name, type });
  };
  for (const instance of instancesOf(parsed)) {
    if (!has(parsed.srv, instance)) ask(instance, 'SRV');
    if (!has(parsed.txt, instance)) ask(instance, 'TXT');
  }
  for (const s of parsed.srv) if (s.target && !has(parsed.addresses, s.target)) ask(s.target, 'A');
  return out;
}

/** Pure: a recorded mDNS exchange (a raw DNS packet) → observations about the responder. */
export function observeMdns(ex: Exchange): Observation[] {
  const parsed = parseMdns(responseBytes(ex));
  if (!parsed.ok || !parsed.response) return [];
  const out: Observation[] = [];
  const seen = new Set<string>();
  const add = (field: FieldName, value: string) => {
    const key = `${field}\n${value}`;
    if (!value || seen.has(key) || out.length >= MAX_OBSERVATIONS) return;
    seen.add(key);
    out.push(observationFrom(ex, field, value));
  };
  for (const r of parsed.ptr) {
    if (lower(r.owner) === META) {
      if (SERVICE_TYPE.test(r.target)) add('mdns.service', r.target);
    } else {
      if (SERVICE_TYPE.test(r.owner)) add('mdns.service', r.owner);
      if (!SERVICE_TYPE.test(r.target)) add('mdns.instance', r.target);
    }
  }
  for (const r of parsed.srv) {
    add('mdns.instance', r.owner);
    add('mdns.host', r.target);
  }
  for (const r of parsed.txt) {
    if (!SERVICE_TYPE.test(r.owner) && lower(r.owner) !== META) add('mdns.instance', r.owner);
    for (const entry of r.entries) {
      add('mdns.txt', entry);
      const eq = entry.indexOf('=');
      if (eq > 0 && lower(entry.slice(0, eq)) === 'macaddress') {
        const mac = normaliseMac(entry.slice(eq + 1));
        if (mac) add('mac.address', mac);
      }
    }
  }
  for (const r of parsed.addresses) add('mdns.address', r.address);
  return out;
}
