import type { Exchange } from '../../core/exchange.ts';
import { responseBytes } from '../../core/exchange.ts';
import type { Observation } from '../../core/observation.ts';
import type { NeighbourField } from '../neighbour/fields.ts';
import { parseXml, xmlPath, xmlText } from '../xml.ts';
import type { WsdField } from './fields.ts';

/** The fields this parser may produce. */
type FieldName = WsdField | NeighbourField;

export interface ProbeMatch {
  endpoint: string;
  types: string;
  scopes: string[];
  xaddrs: string[];
  /** True when Types name an ONVIF device type from an ONVIF namespace (printers answer WSD too). */
  onvif: boolean;
}

export type WsdParse =
  | { ok: true; relatesTo?: string; fault?: string; matches: ProbeMatch[] }
  | { ok: false; reason: string };

const MAX_MATCHES = 64;
const MAX_SCOPES = 64;
const MAX_VALUE = 512;

const ONVIF_NS = ['http://www.onvif.org/ver10/network/wsdl', 'http://www.onvif.org/ver10/device/wsdl'];

function split(text: string | undefined, limit: number): string[] {
  return (text ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, limit)
    .map((s) => s.slice(0, MAX_VALUE));
}

/** The namespaces each prefix is bound to anywhere in the document ('' is the default namespace). */
function namespaceBindings(text: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of text.matchAll(/\bxmlns(?::([\w.-]+))?\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    const prefix = m[1] ?? '';
    const set = out.get(prefix) ?? new Set<string>();
    set.add(m[2] ?? m[3] ?? '');
    out.set(prefix, set);
  }
  return out;
}

export function parseProbeMatches(text: string): WsdParse {
  const parsed = parseXml(text);
  if (!parsed.ok) return parsed;
  const env = parsed.doc.Envelope;
  if (!env) return { ok: false, reason: 'not a SOAP envelope' };
  const relatesTo = xmlText(xmlPath(env, 'Header', 'RelatesTo'));
  const fault = xmlPath(env, 'Body', 'Fault');
  if (fault) {
    const code =
      xmlText(xmlPath(fault, 'Code', 'Subcode', 'Value')) ?? xmlText(xmlPath(fault, 'Code', 'Value'));
    return { ok: true, ...(relatesTo ? { relatesTo } : {}), fault: code ?? 'fault', matches: [] };
  }
  const raw = xmlPath(env, 'Body', 'ProbeMatches', 'ProbeMatch');
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  // Resolve QNames by namespace, not prefix: replies use dn:, tdn:, ns: and others.
  // A prefix bound to another namespace (wsdp:Device is DPWS) is never ONVIF; an unbound one (sloppy
  // firmware) counts when the document declares an ONVIF namespace somewhere.
  const declaresOnvif = ONVIF_NS.some((ns) => text.includes(ns));
  const bindings = namespaceBindings(text);
  const isOnvifType = (qname: string): boolean => {
    const colon = qname.lastIndexOf(':');
    const local = qname.slice(colon + 1);
    if (local !== 'NetworkVideoTransmitter' && local !== 'Device') return false;
    const bound = bindings.get(colon >= 0 ? qname.slice(0, colon) : '');
    return bound ? ONVIF_NS.some((ns) => bound.has(ns)) : declaresOnvif;
  };
  const matches = list.slice(0, MAX_MATCHES).map((m): ProbeMatch => {
    const types = (xmlText(xmlPath(m, 'Types')) ?? '').slice(0, MAX_VALUE);
    return {
      endpoint: (xmlText(xmlPath(m, 'EndpointReference', 'Address')) ?? '').slice(0, MAX_VALUE),
      types,
      scopes: split(xmlText(xmlPath(m, 'Scopes')), MAX_SCOPES),
      xaddrs: split(xmlText(xmlPath(m, 'XAddrs')), 8),
      onvif: split(types, 16).some(isOnvifType),
    };
  });
  return { ok: true, ...(relatesTo ? { relatesTo } : {}), matches };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const SCOPE_FIELDS: Record<string, FieldName> = {
  name: 'wsd.scope.name',
  hardware: 'wsd.scope.hardware',
  location: 'wsd.scope.location',
  mac: 'wsd.scope.mac',
  macaddress: 'wsd.scope.mac',
  type: 'wsd.scope.type',
  profile: 'wsd.scope.profile',
  manufacturer: 'wsd.scope.manufacturer',
};

/** onvif://www.onvif.org/<category>/<value…>, categories case-insensitive, values percent-decoded. */
export function scopeObservation(scope: string): { field: FieldName; value: string } {
  const m = /^onvif:\/\/www\.onvif\.org\/([^/]+)\/?(.*)$/i.exec(scope);
  const category = m?.[1]?.toLowerCase();
  const field = category ? SCOPE_FIELDS[category] : undefined;
  if (m && field) return { field, value: decode(m[2] ?? '') };
  return { field: 'wsd.scope.other', value: decode(scope) };
}

const MAC_RE = /^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i;

export function normaliseMac(text: string): string | undefined {
  const t = text.trim();
  if (!MAC_RE.test(t)) return undefined;
  const hex = t.replace(/[:-]/g, '').toLowerCase();
  return hex.match(/../g)?.join(':');
}

/** Pure: a recorded WS-Discovery exchange → observations about the responder. */
export function observeWsd(ex: Exchange): Observation[] {
  const parsed = parseProbeMatches(responseBytes(ex).toString('utf8'));
  if (!parsed.ok) return [];
  const out: Observation[] = [];
  const add = (field: FieldName, value: string) => {
    if (value)
      out.push({
        type: 'observation',
        host: ex.host,
        field,
        value,
        ...(ex.probe ? { probe: ex.probe } : {}),
      });
  };
  for (const m of parsed.matches) {
    add('wsd.types', m.types);
    add('wsd.endpoint', m.endpoint);
    for (const x of m.xaddrs) add('wsd.xaddr', x);
    for (const s of m.scopes) {
      const o = scopeObservation(s);
      add(o.field, o.value);
      if (o.field === 'wsd.scope.mac') {
        const mac = normaliseMac(o.value);
        if (mac) add('mac.address', mac);
      }
    }
  }
  return out;
}
