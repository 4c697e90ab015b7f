/**
 * SNMP v2c GetRequest (RFC 3416 PDU in the RFC 1901 community message), BER-encoded by hand: the
 * few TLVs a GET needs do not justify a dependency with its own sockets outside the scope guard.
 */

/** What we ask: the system group's identity leaves, and Hikvision's private model leaf. */
export const SNMP_OIDS = {
  sysDescr: '1.3.6.1.2.1.1.1.0',
  sysObjectID: '1.3.6.1.2.1.1.2.0',
  sysName: '1.3.6.1.2.1.1.5.0',
  // LibreNMS hikvision-cam.yaml: Hikvision cameras answer an empty sysObjectID and their model here.
  hikvisionModel: '1.3.6.1.4.1.39165.1.1.0',
} as const;

export const SNMP_VERSION_2C = 1;
export const TAG = {
  INTEGER: 0x02,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
  IP_ADDRESS: 0x40,
  COUNTER32: 0x41,
  GAUGE32: 0x42,
  TIMETICKS: 0x43,
  COUNTER64: 0x46,
  NO_SUCH_OBJECT: 0x80,
  NO_SUCH_INSTANCE: 0x81,
  END_OF_MIB_VIEW: 0x82,
  GET_REQUEST: 0xa0,
  GET_RESPONSE: 0xa2,
} as const;

export function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(value.length), value]);
}

/** A non-negative INTEGER in minimal two's complement. */
export function encodeInteger(n: number): Buffer {
  const bytes: number[] = [];
  let v = Math.max(0, Math.floor(n));
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return tlv(TAG.INTEGER, Buffer.from(bytes));
}

export function encodeOid(oid: string): Buffer {
  const parts = oid.split('.').map(Number);
  const [a = 0, b = 0, ...rest] = parts;
  const out: number[] = [];
  for (const sub of [a * 40 + b, ...rest]) {
    const chunk = [sub & 0x7f];
    for (let v = Math.floor(sub / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(TAG.OID, Buffer.from(out));
}

/** The GetRequest datagram. It carries the community: never record or log it as is. */
export function buildGetRequest(community: string, requestId: number, oids: readonly string[]): Buffer {
  const varbinds = tlv(
    TAG.SEQUENCE,
    Buffer.concat(
      oids.map((o) => tlv(TAG.SEQUENCE, Buffer.concat([encodeOid(o), tlv(TAG.NULL, Buffer.alloc(0))]))),
    ),
  );
  const pdu = tlv(
    TAG.GET_REQUEST,
    Buffer.concat([encodeInteger(requestId), encodeInteger(0), encodeInteger(0), varbinds]),
  );
  return tlv(
    TAG.SEQUENCE,
    Buffer.concat([
      encodeInteger(SNMP_VERSION_2C),
      tlv(TAG.OCTET_STRING, Buffer.from(community, 'utf8')),
      pdu,
    ]),
  );
}

/** What the recorded exchange says was sent: everything but the community. */
export function describeRequest(requestId: number, oids: readonly string[]): string {
  return `SNMPv2c GetRequest community=[redacted] request-id=${requestId} ${oids.join(' ')}`;
}
