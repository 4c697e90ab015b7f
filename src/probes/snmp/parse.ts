import type { Exchange } from '../../core/exchange.ts';
import { responseBytes } from '../../core/exchange.ts';
import type { Observation } from '../../core/observation.ts';
import { observationMaker } from '../../core/observation.ts';
import type { SnmpField } from './fields.ts';
import { SNMP_OIDS, TAG, tlv } from './message.ts';

/** The fields this parser may produce. */
type FieldName = SnmpField;

/** Bounds for hostile replies: an SNMP datagram is at most 64 KiB, we read a handful of TLVs. */
const MAX_VARBINDS = 32;
const MAX_OID_ARCS = 128;
const MAX_TEXT = 512;

export interface Varbind {
  oid: string;
  /** The value's BER tag (0x80–0x82: noSuchObject, noSuchInstance, endOfMibView). */
  tag: number;
  /** Text form; undefined for NULL, the exceptions and values we do not read. */
  value?: string;
}

export interface SnmpMessage {
  version: number;
  community: Buffer;
  pduTag: number;
  requestId: number;
  errorStatus: number;
  errorIndex: number;
  varbinds: Varbind[];
}

interface Tlv {
  tag: number;
  value: Buffer;
  /** Offset just past this TLV in the buffer it was read from. */
  end: number;
}

/** One BER TLV (definite lengths of up to 4 bytes, single-byte tags); undefined if malformed. */
function readTlv(buf: Buffer, offset: number): Tlv | undefined {
  if (offset + 2 > buf.length) return undefined;
  const tag = buf[offset] ?? 0;
  if ((tag & 0x1f) === 0x1f) return undefined;
  const first = buf[offset + 1] ?? 0;
  let p = offset + 2;
  let length = first;
  if (first >= 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4 || p + n > buf.length) return undefined;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (buf[p + i] ?? 0);
    p += n;
  }
  if (p + length > buf.length) return undefined;
  return { tag, value: buf.subarray(p, p + length), end: p + length };
}

function children(buf: Buffer, max: number): Tlv[] | undefined {
  const out: Tlv[] = [];
  let p = 0;
  while (p < buf.length) {
    if (out.length >= max) return out;
    const t = readTlv(buf, p);
    if (!t) return undefined;
    out.push(t);
    p = t.end;
  }
  return out;
}

function decodeSigned(value: Buffer): number | undefined {
  if (value.length === 0 || value.length > 6) return undefined;
  return value.readIntBE(0, value.length);
}

function decodeUnsigned(value: Buffer): string | undefined {
  if (value.length === 0 || value.length > 9) return undefined;
  let v = 0n;
  for (const b of value) v = v * 256n + BigInt(b);
  return v.toString();
}

export function decodeOid(value: Buffer): string | undefined {
  if (value.length === 0) return undefined;
  const arcs: number[] = [];
  let acc = 0;
  let bytes = 0;
  for (const b of value) {
    acc = acc * 128 + (b & 0x7f);
    bytes += 1;
    if (bytes > 5 || acc > 0xffff_ffff + 80) return undefined;
    if (b & 0x80) continue;
    if (arcs.length === 0) {
      const first = acc < 40 ? 0 : acc < 80 ? 1 : 2;
      arcs.push(first, acc - first * 40);
    } else arcs.push(acc);
    if (arcs.length > MAX_OID_ARCS) return undefined;
    acc = 0;
    bytes = 0;
  }
  if (bytes !== 0) return undefined; // ended inside a sub-identifier
  return arcs.join('.');
}

/** Device text: invalid UTF-8 becomes U+FFFD, control characters become spaces, bounded. */
function decodeText(value: Buffer): string {
  return (
    value
      .subarray(0, MAX_TEXT * 4)
      .toString('utf8')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      .trim()
      .slice(0, MAX_TEXT)
  );
}

function decodeValue(t: Tlv): string | undefined {
  switch (t.tag) {
    case TAG.OCTET_STRING:
      return decodeText(t.value);
    case TAG.OID:
      return decodeOid(t.value);
    case TAG.INTEGER:
      return decodeSigned(t.value)?.toString();
    case TAG.COUNTER32:
    case TAG.GAUGE32:
    case TAG.TIMETICKS:
    case TAG.COUNTER64:
      return decodeUnsigned(t.value);
    case TAG.IP_ADDRESS:
      return t.value.length === 4 ? [...t.value].join('.') : undefined;
    default:
      return undefined;
  }
}

export type SnmpParse = { ok: true; message: SnmpMessage } | { ok: false; reason: string };

/** Pure: one SNMP v1/v2c message (any PDU). Never throws; bounded. */
export function parseSnmpMessage(buf: Buffer): SnmpParse {
  const outer = readTlv(buf, 0);
  if (!outer || outer.tag !== TAG.SEQUENCE) return { ok: false, reason: 'not a BER SEQUENCE' };
  const top = children(outer.value, 3);
  const [ver, comm, pdu] = top ?? [];
  if (!ver || !comm || !pdu || ver.tag !== TAG.INTEGER || comm.tag !== TAG.OCTET_STRING) {
    return { ok: false, reason: 'not an SNMP message' };
  }
  const version = decodeSigned(ver.value);
  if (version === undefined || (pdu.tag & 0xe0) !== 0xa0) return { ok: false, reason: 'not an SNMP PDU' };
  const fields = children(pdu.value, 4);
  const [rid, es, ei, vbl] = fields ?? [];
  if (!rid || !es || !ei || !vbl || vbl.tag !== TAG.SEQUENCE) return { ok: false, reason: 'malformed PDU' };
  const requestId = decodeSigned(rid.value);
  const errorStatus = decodeSigned(es.value);
  const errorIndex = decodeSigned(ei.value);
  if (requestId === undefined || errorStatus === undefined || errorIndex === undefined) {
    return { ok: false, reason: 'malformed PDU header' };
  }
  const list = children(vbl.value, MAX_VARBINDS);
  if (!list) return { ok: false, reason: 'malformed varbind list' };
  const varbinds: Varbind[] = [];
  for (const vb of list) {
    if (vb.tag !== TAG.SEQUENCE) continue;
    const [name, val] = children(vb.value, 2) ?? [];
    if (!name || !val || name.tag !== TAG.OID) continue;
    const oid = decodeOid(name.value);
    if (!oid) continue;
    const value = decodeValue(val);
    varbinds.push({ oid, tag: val.tag, ...(value !== undefined ? { value } : {}) });
  }
  return {
    ok: true,
    message: {
      version,
      community: Buffer.from(comm.value),
      pduTag: pdu.tag,
      requestId,
      errorStatus,
      errorIndex,
      varbinds,
    },
  };
}

/**
 * A reply as it may be recorded: a GetResponse echoes the community, so it is replaced by
 * "[redacted]" (the message re-encoded around the untouched PDU). Bytes that are no SNMP message
 * get every occurrence of the community masked instead.
 */
export function redactCommunity(reply: Buffer, community: string): Buffer {
  const outer = readTlv(reply, 0);
  const top = outer?.tag === TAG.SEQUENCE ? children(outer.value, 3) : undefined;
  const [ver, comm, pdu] = top ?? [];
  if (ver && comm?.tag === TAG.OCTET_STRING && pdu) {
    const rest = outer?.value.subarray(comm.end) ?? Buffer.alloc(0);
    return tlv(
      TAG.SEQUENCE,
      Buffer.concat([
        outer?.value.subarray(0, ver.end) ?? Buffer.alloc(0),
        tlv(TAG.OCTET_STRING, Buffer.from('[redacted]')),
        rest,
      ]),
    );
  }
  const secret = Buffer.from(community, 'utf8');
  const out = Buffer.from(reply);
  if (secret.length === 0) return out;
  for (let i = out.indexOf(secret); i !== -1; i = out.indexOf(secret, i + secret.length)) {
    out.fill(0x2a, i, i + secret.length);
  }
  return out;
}

const FIELD_BY_OID: Readonly<Record<string, FieldName>> = {
  [SNMP_OIDS.sysDescr]: 'snmp.sys_descr',
  [SNMP_OIDS.sysObjectID]: 'snmp.sys_object_id',
  [SNMP_OIDS.sysName]: 'snmp.sys_name',
  [SNMP_OIDS.hikvisionModel]: 'snmp.hikvision.model',
};

/** Pure: a recorded SNMP exchange → observations from the GetResponse's varbinds. */
export function observeSnmp(ex: Exchange): Observation[] {
  const parsed = parseSnmpMessage(responseBytes(ex));
  if (!parsed.ok || parsed.message.pduTag !== TAG.GET_RESPONSE) return [];
  const obs = observationMaker(ex);
  const out: Observation[] = [];
  const seen = new Set<string>();
  for (const vb of parsed.message.varbinds) {
    const field = FIELD_BY_OID[vb.oid];
    if (!field || seen.has(field)) continue;
    seen.add(field);
    out.push(...obs(field, vb.value));
  }
  return out;
}
