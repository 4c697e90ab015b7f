/**
 * Dahua's legacy discovery on UDP 5050 (PROTOCOLS.md §3.3; the layout in our own words from
 * julienblitte/UniversalScanner Dahua1.cs, mcw0/DahuaConsole dh_discover "dvrip" mode and
 * OpenIPC/python-dvr SearchDahua). Dahua's tools broadcast the search to 255.255.255.255:5050;
 * camsweep sends the same 32 bytes to one host only (the author of DahuaConsole: the discovery
 * "can be used with the device IP as well", UniversalScanner issue #5). The request asks, it sets
 * nothing.
 */
export const DAHUA_LEGACY_PORT = 5050;
export const REQUEST_LENGTH = 32;
/** First byte of a search (requests of this family start 0xA3) and of its answer (0xB3). */
export const REQUEST_MAGIC = 0xa3;
export const REPLY_MAGIC = 0xb3;
/** Section 1 of a reply: fixed binary fields; sections 2 (MAC + model) and 3 (text) follow it. */
export const SECTION1_LENGTH = 0x78;

/**
 * The search: `A3 01 00 01`, zeros, 0x02 at offset 0x10, zeros to 32 bytes (UniversalScanner and
 * DahuaConsole send exactly this; python-dvr has 0x00 as the fourth byte).
 */
export function buildSearch(): Buffer {
  const b = Buffer.alloc(REQUEST_LENGTH);
  b[0] = REQUEST_MAGIC;
  b[1] = 0x01;
  b[3] = 0x01;
  b[0x10] = 0x02;
  return b;
}

/**
 * True for the search in either published form (fourth byte 0x01 or 0x00) and nothing else; the
 * lab answers only this.
 */
export function isSearch(b: Buffer): boolean {
  if (b.length !== REQUEST_LENGTH) return false;
  for (let i = 0; i < REQUEST_LENGTH; i++) {
    const v = b[i] ?? -1;
    const want = i === 0 ? REQUEST_MAGIC : i === 1 ? 0x01 : i === 0x10 ? 0x02 : 0x00;
    if (v !== want && !(i === 3 && v === 0x01)) return false;
  }
  return true;
}

/** The request as an exchange records it: hex, as a capture shows a binary datagram. */
export function requestText(b: Buffer): string {
  return b.toString('hex');
}

/** What a reply carries, for building one (the lab responder and the tests). */
export interface ReplyParts {
  /** Byte 3 of the header: 0x01 in the one published real header (`B3 00 23 01`). */
  byte3?: number;
  /** Four u16 at 0x20, printed a.b.c.d by DahuaConsole. */
  version?: readonly [number, number, number, number];
  /** The 16-byte NUL-padded string at 0x28 (at most 15 bytes are written, then a NUL). */
  name?: string;
  ipv4?: string;
  mask?: string;
  gateway?: string;
  dns?: string;
  httpPort?: number;
  httpsPort?: number;
  tcpPort?: number;
  /** Section 2: the MAC as 17 characters, then the model (written as given, NULs included). */
  mac: string;
  model?: string | Buffer;
  /** Section 3: `Key:Value` lines, each ended with CRLF. */
  lines?: readonly string[];
}

function writeIpv4(b: Buffer, at: number, ip: string | undefined): void {
  if (!ip) return;
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return;
  for (const [i, p] of parts.entries()) b[at + i] = p;
}

/**
 * A reply in the published layout: section 1 (0x78 bytes) with magic 0xB3, byte 2 = the length of
 * section 2, 0x58 (u32 LE) at 0x04 and 2 (u32 LE) at 0x10 as UniversalScanner's comments give them,
 * the length of section 3 (u16 LE) at 0x14; addresses in wire order, ports u16 LE; then sections 2
 * and 3. Building it does not make it real: every reply built here is ASSEMBLED.
 */
export function buildReply(p: ReplyParts): Buffer {
  const model = typeof p.model === 'string' ? Buffer.from(p.model, 'utf8') : (p.model ?? Buffer.alloc(0));
  // Byte 2 holds section 2's length and a u16 section 3's: longer parts are cut to fit.
  const s2 = Buffer.concat([Buffer.from(p.mac, 'latin1'), model]).subarray(0, 0xff);
  const s3 = Buffer.from((p.lines ?? []).map((l) => `${l}\r\n`).join(''), 'utf8').subarray(0, 0xffff);
  const s1 = Buffer.alloc(SECTION1_LENGTH);
  s1[0] = REPLY_MAGIC;
  s1[2] = s2.length;
  s1[3] = (p.byte3 ?? 0x01) & 0xff;
  s1.writeUInt32LE(0x58, 0x04);
  s1.writeUInt32LE(2, 0x10);
  s1.writeUInt16LE(s3.length, 0x14);
  for (const [i, v] of (p.version ?? [0, 0, 0, 0]).entries()) s1.writeUInt16LE(v & 0xffff, 0x20 + 2 * i);
  if (p.name) Buffer.from(p.name, 'utf8').copy(s1, 0x28, 0, 15);
  writeIpv4(s1, 0x38, p.ipv4);
  writeIpv4(s1, 0x3c, p.mask);
  writeIpv4(s1, 0x40, p.gateway);
  writeIpv4(s1, 0x44, p.dns);
  s1.writeUInt16LE((p.httpPort ?? 0) & 0xffff, 0x5e);
  s1.writeUInt16LE((p.httpsPort ?? 0) & 0xffff, 0x60);
  s1.writeUInt16LE((p.tcpPort ?? 0) & 0xffff, 0x62);
  return Buffer.concat([s1, s2, s3]);
}
