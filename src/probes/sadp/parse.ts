import type { Exchange } from '../../core/exchange.ts';
import { responseBytes } from '../../core/exchange.ts';
import type { Observation } from '../../core/observation.ts';
import { observationsFrom } from '../../core/observation.ts';
import { MAX_XML_BYTES, parseXml, xmlPath, xmlText } from '../xml.ts';

/** One SADP ProbeMatch (PROTOCOLS.md §3.1), every value trimmed and capped. */
export interface SadpMatch {
  uuid?: string;
  types?: string;
  deviceType?: string;
  description?: string;
  serial?: string;
  /** Normalised aa:bb:cc:dd:ee:ff. */
  mac?: string;
  ipv4?: string;
  softwareVersion?: string;
  dspVersion?: string;
  /** 'true' | 'false' after lenient reading (the real firmware writes `flase`). */
  activated?: 'true' | 'false';
  oemInfo?: string;
  oemCode?: string;
  commandPort?: number;
  httpPort?: number;
}

export type SadpParse = { ok: true; match: SadpMatch; lenient: boolean } | { ok: false; reason: string };

const MAX_VALUE = 256;
const TAGS = [
  'Uuid',
  'Types',
  'DeviceType',
  'DeviceDescription',
  'DeviceSN',
  'MAC',
  'IPv4Address',
  'SoftwareVersion',
  'DSPVersion',
  'Activated',
  'OEMInfo',
  'DetailOEMCode',
  'CommandPort',
  'HttpPort',
] as const;
type Tag = (typeof TAGS)[number];

/** Drops C0 control characters and DEL (NUL padding, escape sequences) from a device's string. */
function withoutControls(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (c >= 0x20 && c !== 0x7f) out += ch;
  }
  return out;
}

function clean(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  // Control characters (NULs from C firmware, escape sequences) never reach a report.
  const t = withoutControls(v).trim().slice(0, MAX_VALUE);
  return t.length > 0 ? t : undefined;
}

/** Lenient booleans: true/false in any case, 1/0, yes/no, and the real firmware typo `flase`. */
export function sadpBool(v: string | undefined): 'true' | 'false' | undefined {
  const t = v?.trim().toLowerCase();
  if (t === undefined) return undefined;
  if (/^(?:true|1|yes|on)$/.test(t)) return 'true';
  if (/^(?:false|flase|0|no|off)$/.test(t)) return 'false';
  return undefined;
}

function port(v: string | undefined): number | undefined {
  if (!v || !/^\d{1,5}$/.test(v)) return undefined;
  const n = Number(v);
  return n >= 1 && n <= 65_535 ? n : undefined;
}

const MAC_RE = /^[0-9a-f]{2}([-:]?)[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i;

export function sadpMac(v: string | undefined): string | undefined {
  if (!v || !MAC_RE.test(v)) return undefined;
  return v.replace(/[-:]/g, '').toLowerCase().match(/../g)?.join(':');
}

const IPV4_RE = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function build(get: (tag: Tag) => string | undefined): SadpMatch {
  const m: SadpMatch = {};
  const set = <K extends keyof SadpMatch>(k: K, v: SadpMatch[K] | undefined) => {
    if (v !== undefined) m[k] = v;
  };
  set('uuid', clean(get('Uuid')));
  set('types', clean(get('Types')));
  set('deviceType', clean(get('DeviceType')));
  set('description', clean(get('DeviceDescription')));
  set('serial', clean(get('DeviceSN')));
  set('mac', sadpMac(clean(get('MAC'))));
  const ip = clean(get('IPv4Address'));
  set('ipv4', ip && IPV4_RE.test(ip) ? ip : undefined);
  set('softwareVersion', clean(get('SoftwareVersion')));
  set('dspVersion', clean(get('DSPVersion')));
  set('activated', sadpBool(clean(get('Activated'))));
  set('oemInfo', clean(get('OEMInfo')));
  set('oemCode', clean(get('DetailOEMCode')));
  set('commandPort', port(clean(get('CommandPort'))));
  set('httpPort', port(clean(get('HttpPort'))));
  return m;
}

/** Last resort for replies that are not well-formed XML (unescaped `&`, `<` in values). */
function extractTags(text: string): (tag: Tag) => string | undefined {
  return (tag) => {
    const open = text.indexOf(`<${tag}>`);
    if (open === -1) return undefined;
    const start = open + tag.length + 2;
    const close = text.indexOf(`</${tag}>`, start);
    // A value runs to its close tag, or to the line's end when the close tag is missing.
    const end = close === -1 ? text.indexOf('\n', start) : close;
    const raw = text.slice(start, end === -1 ? Math.min(text.length, start + MAX_VALUE) : end);
    return raw.length > 4 * MAX_VALUE ? raw.slice(0, MAX_VALUE) : raw;
  };
}

/**
 * Pure: a SADP reply → its ProbeMatch. Well-formed XML is parsed; a malformed reply (firmware does
 * not always escape) falls back to tag extraction. Entity declarations, oversize and deep nesting
 * are refused outright, never worked around.
 */
export function parseSadp(text: string): SadpParse {
  if (text.length > MAX_XML_BYTES) return { ok: false, reason: `reply over ${MAX_XML_BYTES} bytes` };
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    return { ok: false, reason: 'reply declares entities' };
  }
  if (!/<ProbeMatch[\s>]/.test(text)) return { ok: false, reason: 'not a SADP ProbeMatch' };
  const parsed = parseXml(text);
  if (parsed.ok) {
    const root = xmlPath(parsed.doc, 'ProbeMatch');
    if (!root) return { ok: false, reason: 'not a SADP ProbeMatch' };
    // A broken reply can still parse (a missing close tag swallows the elements after it): any
    // element the tree does not hold as text is taken from the raw text instead.
    const extract = extractTags(text);
    let lenient = false;
    const match = build((tag) => {
      const v = xmlText(xmlPath(root, tag));
      if (typeof v === 'string' && !v.includes('<')) return v;
      const raw = extract(tag);
      if (raw !== undefined) lenient = true;
      return raw;
    });
    return { ok: true, lenient, match };
  }
  if (/nesting deeper/.test(parsed.reason)) return { ok: false, reason: parsed.reason };
  const match = build(extractTags(text));
  if (Object.keys(match).length === 0) return { ok: false, reason: parsed.reason };
  return { ok: true, lenient: true, match };
}

/** A reply answers our inquiry when its Uuid echoes ours (devices keep the case we sent; compare without). */
export function answersInquiry(reply: Buffer, uuid: string): boolean {
  const parsed = parseSadp(reply.toString('utf8'));
  return parsed.ok && parsed.match.uuid?.toUpperCase() === uuid.toUpperCase();
}

/** The advertised web interface, as a follow-up URL (contacted only through the scope guard). */
export function advertisedHttpUrl(m: SadpMatch): string | undefined {
  if (!m.ipv4 || !m.httpPort || m.ipv4 === '0.0.0.0') return undefined;
  return `http://${m.ipv4}:${m.httpPort}/`;
}

/** Pure: a recorded SADP exchange → observations about the responder. */
export function observeSadp(ex: Exchange): Observation[] {
  return readSadpDocument(ex, responseBytes(ex));
}

/** A SADP reply by what it is: a ProbeMatch carrying a DeviceSN or DeviceDescription. */
export function looksLikeSadp(payload: Buffer): boolean {
  const text = payload.subarray(0, 64 * 1024).toString('utf8');
  return /<ProbeMatch[\s>]/.test(text) && /<(?:DeviceSN|DeviceDescription)>/.test(text);
}

/** The observations of a SADP reply, whatever exchange carried it. */
export function readSadpDocument(ex: Exchange, payload: Buffer): Observation[] {
  const parsed = parseSadp(payload.toString('utf8'));
  if (!parsed.ok) return [];
  const m = parsed.match;
  return observationsFrom(ex, [
    ['sadp.types', m.types],
    ['sadp.device_type', m.deviceType],
    ['sadp.device_description', m.description],
    ['sadp.serial', m.serial],
    ['sadp.mac', m.mac],
    ['mac.address', m.mac],
    ['sadp.ipv4_address', m.ipv4],
    ['sadp.software_version', m.softwareVersion],
    ['sadp.dsp_version', m.dspVersion],
    ['sadp.activated', m.activated],
    ['sadp.oem_info', m.oemInfo],
    ['sadp.oem_code', m.oemCode],
    ['sadp.command_port', m.commandPort],
    ['sadp.http_port', m.httpPort],
  ]);
}
