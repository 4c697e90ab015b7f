import type { Exchange } from '../../core/exchange.ts';
import { responseBytes } from '../../core/exchange.ts';
import type { Observation } from '../../core/observation.ts';
import { observationsFrom } from '../../core/observation.ts';
import { DVRIP_HEADER_LENGTH, MSG_DISCOVERY_REPLY, readHeader } from './message.ts';

/** The NetWork.NetCommon block of a discovery reply, every value trimmed and capped. */
export interface DvripNetCommon {
  hostName?: string;
  serial?: string;
  /** Normalised aa:bb:cc:dd:ee:ff. */
  mac?: string;
  deviceType?: string;
  buildDate?: string;
  firmware?: string;
  hostIp?: string;
  tcpPort?: number;
  httpPort?: number;
}

export type DvripParse = { ok: true; net: DvripNetCommon } | { ok: false; reason: string };

const MAX_VALUE = 256;
/** A reply is one datagram; anything claiming more is not a discovery reply. */
const MAX_BODY = 65_507;

/** Drops C0 control characters and DEL (NUL padding, escape sequences) from a device's string. */
function withoutControls(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (c >= 0x20 && c !== 0x7f) out += ch;
  }
  return out;
}

function str(v: unknown): string | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const t = withoutControls(String(v)).trim().slice(0, MAX_VALUE);
  return t.length > 0 ? t : undefined;
}

function port(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,5}$/.test(v) ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65_535 ? n : undefined;
}

const MAC_RE = /^[0-9a-f]{2}([-:]?)[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i;

function mac(v: string | undefined): string | undefined {
  if (!v || !MAC_RE.test(v)) return undefined;
  return v.replace(/[-:]/g, '').toLowerCase().match(/../g)?.join(':');
}

/** HostIP is a little-endian hex u32 ("0x0A01A8C0" = 192.168.1.10); a dotted quad is kept. */
export function dvripIp(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const hex = /^0x([0-9a-f]{8})$/i.exec(v)?.[1];
  if (hex) {
    const n = Number.parseInt(hex, 16);
    return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.');
  }
  return /^(?:\d{1,3}\.){3}\d{1,3}$/.test(v) && v.split('.').every((p) => Number(p) <= 255) ? v : undefined;
}

/**
 * Pure: a DVRIP discovery datagram → its NetWork.NetCommon. The header must carry head flag 0xFF and
 * message id 1531; the body is JSON after the 20-byte header, with NULs stripped (firmware pads it).
 */
export function parseDvripDiscovery(b: Buffer): DvripParse {
  const h = readHeader(b);
  if (!h) return { ok: false, reason: 'shorter than the 20-byte header' };
  if (h.head !== 0xff) return { ok: false, reason: 'not a DVRIP header (head flag)' };
  if (h.messageId !== MSG_DISCOVERY_REPLY)
    return { ok: false, reason: `message id ${h.messageId}, not 1531` };
  if (h.bodyLength === 0) return { ok: false, reason: 'empty body' };
  if (h.bodyLength > MAX_BODY) return { ok: false, reason: 'body length over one datagram' };
  return parseDvripJson(b.subarray(DVRIP_HEADER_LENGTH, DVRIP_HEADER_LENGTH + h.bodyLength).toString('utf8'));
}

/** Pure: the JSON body of a DVRIP discovery reply (NetWork.NetCommon), its header already gone. */
export function parseDvripJson(body: string): DvripParse {
  const text = body.replaceAll('\u0000', '').trim();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    return { ok: false, reason: 'body is not an object' };
  const nc = Object.hasOwn(json, 'NetWork.NetCommon')
    ? (json as Record<string, unknown>)['NetWork.NetCommon']
    : undefined;
  if (!nc || typeof nc !== 'object' || Array.isArray(nc))
    return { ok: false, reason: 'no NetWork.NetCommon' };
  const get = (k: string): unknown => (Object.hasOwn(nc, k) ? (nc as Record<string, unknown>)[k] : undefined);
  const net: DvripNetCommon = {};
  const set = <K extends keyof DvripNetCommon>(k: K, v: DvripNetCommon[K] | undefined) => {
    if (v !== undefined) net[k] = v;
  };
  set('hostName', str(get('HostName')));
  set('serial', str(get('SN')) ?? str(get('SerialNo')));
  set('mac', mac(str(get('MAC'))));
  set('deviceType', str(get('DeviceType')));
  set('buildDate', str(get('BuildDate')));
  set('firmware', str(get('Version')) ?? str(get('SoftWareVersion')));
  set('hostIp', dvripIp(str(get('HostIP'))));
  set('tcpPort', port(get('TCPPort')));
  set('httpPort', port(get('HttpPort')));
  return { ok: true, net };
}

/** A DVRIP discovery reply by what it is: with its 20-byte header, or the bare JSON another tool logged. */
export function readDvrip(bytes: Buffer): DvripParse {
  if (looksLikeDvripJson(bytes)) return parseDvripJson(bytes.subarray(0, MAX_BODY).toString('utf8'));
  return parseDvripDiscovery(bytes);
}

/** The bare JSON of a DVRIP discovery reply: an object that holds NetWork.NetCommon. */
export function looksLikeDvripJson(bytes: Buffer): boolean {
  return (
    bytes.subarray(0, 64).toString('utf8').trimStart().startsWith('{') && bytes.includes('NetWork.NetCommon')
  );
}

/** Pure: a recorded DVRIP discovery exchange → observations about the responder. */
export function observeDvrip(ex: Exchange): Observation[] {
  return readDvripDocument(ex, responseBytes(ex));
}

/** The observations of a DVRIP discovery reply, whatever exchange carried it. */
export function readDvripDocument(ex: Exchange, payload: Buffer): Observation[] {
  const parsed = readDvrip(payload);
  if (!parsed.ok) return [];
  const n = parsed.net;
  return observationsFrom(ex, [
    ['dvrip.host_name', n.hostName],
    ['dvrip.serial', n.serial],
    ['dvrip.mac', n.mac],
    ['mac.address', n.mac],
    ['dvrip.device_type', n.deviceType],
    ['dvrip.build_date', n.buildDate],
    ['dvrip.firmware', n.firmware],
    ['dvrip.host_ip', n.hostIp],
    ['dvrip.tcp_port', n.tcpPort],
    ['dvrip.http_port', n.httpPort],
  ]);
}
