import { isIPv6 } from 'node:net';
import type { Exchange } from '../../core/exchange.ts';
import { responseBytes } from '../../core/exchange.ts';
import type { Observation } from '../../core/observation.ts';
import { observationsFrom } from '../../core/observation.ts';
import { REPLY_MAGIC, SECTION1_LENGTH } from './message.ts';

/** What a legacy discovery reply says about the device (strings cleaned and capped, ports 1–65535). */
export interface LegacyDevice {
  /** The first four bytes, hex ("b3002301" in the one published real header). */
  header: string;
  /** Normalised aa:bb:cc:dd:ee:ff. */
  mac: string;
  /** Section 2 after the MAC (UniversalScanner and python-dvr read it as the model). */
  model?: string;
  /** The 16-byte string at 0x28 (UniversalScanner "deviceType", DahuaConsole "Hostname"). */
  name?: string;
  /** Four u16 LE at 0x20 as a.b.c.d (DahuaConsole "Version"); absent when all four are 0. */
  version?: string;
  ipv4Address?: string;
  subnetMask?: string;
  gateway?: string;
  httpPort?: number;
  httpsPort?: number;
  /** The TCP service port at 0x62 (DVRIP, 37777 by default). */
  port?: number;
  /** Section 3 `SerialNo:`. */
  serial?: string;
  /** Section 3 `IPv6Addr:`, cut at `;` and `/` as UniversalScanner does. */
  ipv6Address?: string;
}

export type LegacyParse =
  | { ok: true; device: LegacyDevice }
  | { ok: false; reason: 'not-dahua-legacy' | 'bad-length' | 'no-mac' };

const MAX_VALUE = 256;
/** A UDP datagram cannot be larger; anything bigger did not come from one. */
const MAX_DATAGRAM = 65_507;
const MAC_LENGTH = 17;
/** Section 3 is a handful of lines on any device; more is not read. */
const MAX_LINES = 64;
const MAC_RE = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i;

/** A device string: UTF-8 (invalid bytes dropped), no control characters, trimmed, capped. */
function clean(bytes: Buffer): string | undefined {
  let out = '';
  for (const ch of bytes.subarray(0, MAX_VALUE * 4).toString('utf8')) {
    const c = ch.codePointAt(0) ?? 0;
    if (c >= 0x20 && c !== 0x7f && c !== 0xfffd) out += ch;
  }
  const t = out.trim().slice(0, MAX_VALUE);
  return t.length > 0 ? t : undefined;
}

/** A C string field: up to its first NUL. */
function cString(bytes: Buffer): string | undefined {
  const nul = bytes.indexOf(0);
  return clean(nul === -1 ? bytes : bytes.subarray(0, nul));
}

/** Four bytes in wire order are the dotted quad (all three tools agree); 0.0.0.0 means unset. */
function ipv4At(b: Buffer, at: number): string | undefined {
  const ip = `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
  return ip === '0.0.0.0' ? undefined : ip;
}

function portAt(b: Buffer, at: number): number | undefined {
  const n = b.readUInt16LE(at);
  return n === 0 ? undefined : n;
}

function versionAt(b: Buffer, at: number): string | undefined {
  const parts = [0, 1, 2, 3].map((i) => b.readUInt16LE(at + 2 * i));
  return parts.every((p) => p === 0) ? undefined : parts.join('.');
}

/** Section 3: `Key:Value` lines (CRLF or LF), split at the first colon; the first of a key wins. */
function keyValues(b: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  const lines = b.toString('utf8').split(/\r?\n/, MAX_LINES);
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    if (key.length === 0 || key.length > 64 || out.has(key)) continue;
    const value = clean(Buffer.from(line.slice(colon + 1, colon + 1 + MAX_VALUE * 2), 'utf8'));
    if (value !== undefined) out.set(key, value);
  }
  return out;
}

function ipv6Of(v: string | undefined): string | undefined {
  const a = v?.split(';')[0]?.split('/')[0]?.trim();
  return a && isIPv6(a) ? a : undefined;
}

/**
 * Pure: one datagram → the legacy discovery reply it carries, or why it is not one. Valid only
 * when it starts with 0xB3, holds the whole 0x78-byte section 1, and 0x78 + section 2 length
 * (byte 2) + section 3 length (u16 LE at 0x14) equals the datagram length exactly (the newest
 * UniversalScanner drops anything else), and section 2 starts with a 17-character MAC.
 */
export function parseDahuaLegacy(bytes: Buffer): LegacyParse {
  if (bytes.length === 0 || bytes.length > MAX_DATAGRAM || bytes[0] !== REPLY_MAGIC)
    return { ok: false, reason: 'not-dahua-legacy' };
  if (bytes.length < SECTION1_LENGTH) return { ok: false, reason: 'bad-length' };
  const len2 = bytes[2] ?? 0;
  const len3 = bytes.readUInt16LE(0x14);
  if (SECTION1_LENGTH + len2 + len3 !== bytes.length) return { ok: false, reason: 'bad-length' };
  const s2 = bytes.subarray(SECTION1_LENGTH, SECTION1_LENGTH + len2);
  const s3 = bytes.subarray(SECTION1_LENGTH + len2);
  const macText = s2.toString('latin1', 0, MAC_LENGTH);
  if (len2 < MAC_LENGTH || !MAC_RE.test(macText)) return { ok: false, reason: 'no-mac' };
  const device: LegacyDevice = {
    header: bytes.toString('hex', 0, 4),
    mac: macText.replaceAll('-', ':').toLowerCase(),
  };
  const set = <K extends keyof LegacyDevice>(key: K, value: LegacyDevice[K] | undefined) => {
    if (value !== undefined) device[key] = value;
  };
  set('model', cString(s2.subarray(MAC_LENGTH)));
  set('name', cString(bytes.subarray(0x28, 0x38)));
  set('version', versionAt(bytes, 0x20));
  set('ipv4Address', ipv4At(bytes, 0x38));
  set('subnetMask', ipv4At(bytes, 0x3c));
  set('gateway', ipv4At(bytes, 0x40));
  set('httpPort', portAt(bytes, 0x5e));
  set('httpsPort', portAt(bytes, 0x60));
  set('port', portAt(bytes, 0x62));
  const kv = keyValues(s3);
  set('serial', kv.get('serialno'));
  set('ipv6Address', ipv6Of(kv.get('ipv6addr')));
  return { ok: true, device };
}

/** Pure: a recorded legacy discovery exchange → observations about the responder. */
export function observeDahuaLegacy(ex: Exchange): Observation[] {
  const parsed = parseDahuaLegacy(responseBytes(ex));
  if (!parsed.ok) return [];
  const d = parsed.device;
  return observationsFrom(ex, [
    ['dahua_legacy.header', d.header],
    ['dahua_legacy.model', d.model],
    ['dahua_legacy.name', d.name],
    ['dahua_legacy.serial', d.serial],
    ['dahua_legacy.version', d.version],
    ['dahua_legacy.ipv4_address', d.ipv4Address],
    ['dahua_legacy.http_port', d.httpPort],
    ['dahua_legacy.https_port', d.httpsPort],
    ['dahua_legacy.port', d.port],
    ['mac.address', d.mac],
  ]);
}
