import { isIPv4 } from 'node:net';
import type { Exchange } from '../../core/exchange.ts';
import { responseBytes } from '../../core/exchange.ts';
import type { Observation } from '../../core/observation.ts';
import { observationsFrom } from '../../core/observation.ts';
import { normaliseMac } from '../wsd/parse.ts';
import { DHIP_HEADER_LENGTH, DHIP_MAGIC } from './message.ts';

/** What a client.notifyDevInfo reply says about the device (strings capped, ports validated). */
export interface DhipDevice {
  method: string;
  mac?: string;
  deviceType?: string;
  serial?: string;
  version?: string;
  vendor?: string;
  manufacturer?: string;
  machineName?: string;
  deviceClass?: string;
  ipv4Address?: string;
  httpPort?: number;
  port?: number;
}

export type DhipParse =
  | { ok: true; device: DhipDevice }
  | { ok: false; reason: 'not-dhip' | 'bad-length' | 'bad-json' | 'not-notify' };

const MAX_VALUE = 256;
/** A UDP datagram cannot be larger; anything bigger did not come from one. */
const MAX_DATAGRAM = 65_507;

/** True when the bytes start like DHIP (header length 32, magic "DHIP"); ETHO's recogniser. */
export function looksLikeDhip(bytes: Buffer): boolean {
  return (
    bytes.length >= DHIP_HEADER_LENGTH &&
    bytes.readUInt32LE(0) === DHIP_HEADER_LENGTH &&
    bytes.toString('latin1', 4, 8) === DHIP_MAGIC
  );
}

function text(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  // Control characters (NULs of C strings included) are never part of a name.
  const t = Array.from(v.slice(0, MAX_VALUE * 2))
    .filter((c) => {
      const code = c.codePointAt(0) ?? 0;
      return code >= 0x20 && code !== 0x7f;
    })
    .join('')
    .trim();
  return t ? t.slice(0, MAX_VALUE) : undefined;
}

function portOf(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,5}$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65_535 ? n : undefined;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/**
 * Pure: one datagram → the DHIP reply it carries. Valid only with header length 32, magic "DHIP"
 * and a body length equal to the datagram length − 32 (UniversalScanner's check); trailing NULs
 * and line ends of the body are stripped before JSON.parse (ETHO drops them too).
 */
export function parseDhip(bytes: Buffer): DhipParse {
  if (!looksLikeDhip(bytes) || bytes.length > MAX_DATAGRAM) return { ok: false, reason: 'not-dhip' };
  if (bytes.readUInt32LE(16) !== bytes.length - DHIP_HEADER_LENGTH)
    return { ok: false, reason: 'bad-length' };
  let end = bytes.length;
  while (end > DHIP_HEADER_LENGTH && [0x00, 0x0a, 0x0d, 0x20].includes(bytes[end - 1] ?? 0)) end -= 1;
  return parseDhipJson(bytes.toString('utf8', DHIP_HEADER_LENGTH, end));
}

/** Pure: the JSON body of a DHIP reply (client.notifyDevInfo), with or without its binary header stripped. */
export function parseDhipJson(body: string): DhipParse {
  let json: unknown;
  try {
    json = JSON.parse(body.replaceAll('\u0000', '').trim());
  } catch {
    return { ok: false, reason: 'bad-json' };
  }
  const root = record(json);
  const method = text(root?.method);
  if (!root || method !== 'client.notifyDevInfo') return { ok: false, reason: 'not-notify' };
  const info = record(record(root.params)?.deviceInfo) ?? {};
  const device: DhipDevice = { method };
  const set = <K extends keyof DhipDevice>(key: K, value: DhipDevice[K] | undefined) => {
    if (value !== undefined) device[key] = value;
  };
  const mac = text(root.mac);
  set('mac', mac ? normaliseMac(mac) : undefined);
  set('deviceType', text(info.DeviceType));
  set('serial', text(info.SerialNo));
  set('version', text(info.Version));
  set('vendor', text(info.Vendor));
  set('manufacturer', text(info.Manufacturer));
  set('machineName', text(info.MachineName));
  set('deviceClass', text(info.DeviceClass));
  const ip = text(record(info.IPv4Address)?.IPAddress);
  set('ipv4Address', ip && isIPv4(ip) ? ip : undefined);
  set('httpPort', portOf(info.HttpPort));
  set('port', portOf(info.Port));
  return { ok: true, device };
}

/** A DHIP reply by what it is: the binary header, or the bare notifyDevInfo JSON another tool logged. */
export function readDhip(bytes: Buffer): DhipParse {
  if (looksLikeDhip(bytes)) return parseDhip(bytes);
  if (bytes.length > MAX_DATAGRAM || !looksLikeDhipJson(bytes)) return { ok: false, reason: 'not-dhip' };
  return parseDhipJson(bytes.toString('utf8'));
}

/** The bare JSON of a DHIP device notification (no header): a JSON object naming client.notifyDevInfo. */
export function looksLikeDhipJson(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 256).toString('utf8').trimStart();
  return head.startsWith('{') && bytes.includes('client.notifyDevInfo');
}

/** Pure: a recorded DHIP exchange → observations about the responder. */
export function observeDhip(ex: Exchange): Observation[] {
  return readDhipDocument(ex, responseBytes(ex));
}

/**
 * The realm of a DHIP login challenge ({"result":false,"params":{"realm":"Login to …"}}), read
 * from any DHIP frame: Dahua firmware answers a login on its web or SDK port this way.
 */
export function dhipLoginRealm(bytes: Buffer): string | undefined {
  if (!looksLikeDhip(bytes) || bytes.length > MAX_DATAGRAM) return undefined;
  try {
    const json = record(
      JSON.parse(bytes.toString('utf8', DHIP_HEADER_LENGTH).replaceAll('\u0000', '').trim()),
    );
    return text(record(json?.params)?.realm);
  } catch {
    return undefined;
  }
}

/** The observations of a DHIP reply, whatever exchange carried it. */
export function readDhipDocument(ex: Exchange, payload: Buffer): Observation[] {
  const parsed = readDhip(payload);
  if (!parsed.ok) return observationsFrom(ex, [['dhip.realm', dhipLoginRealm(payload)]]);
  const d = parsed.device;
  return observationsFrom(ex, [
    ['dhip.device_type', d.deviceType],
    ['dhip.serial', d.serial],
    ['dhip.version', d.version],
    ['dhip.vendor', d.vendor],
    ['dhip.manufacturer', d.manufacturer],
    ['dhip.device_class', d.deviceClass],
    ['dhip.machine_name', d.machineName],
    ['dhip.http_port', d.httpPort],
    ['dhip.port', d.port],
    ['dhip.ipv4_address', d.ipv4Address],
    ['mac.address', d.mac],
  ]);
}
