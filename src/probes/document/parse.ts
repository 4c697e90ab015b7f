import type { Exchange } from '../../core/exchange.ts';
import { type Observation, observationMaker } from '../../core/observation.ts';
import type { NeighbourField } from '../neighbour/fields.ts';
import { normaliseMac } from '../wsd/parse.ts';
import { parseXml } from '../xml.ts';
import type { DocumentField } from './fields.ts';
import { DOCUMENT_KEYS, looksLikeModelCode } from './keys.ts';

type FieldName = DocumentField | NeighbourField;
type Fact = readonly [FieldName, string];

/** Bounds: a device-information document is small; anything larger is not one. */
const MAX_DOCUMENT_BYTES = 256 * 1024;
const MAX_FACTS = 64;
const MAX_DEPTH = 6;

/** What the document is, and the facts its keys carry, in document order. */
export interface DocumentRead {
  kind: string;
  namespace?: string;
  facts: Fact[];
}

function factFor(key: string, value: string): Fact | undefined {
  const last = key.split(/[.:/]/).pop()?.toLowerCase() ?? '';
  const field = DOCUMENT_KEYS[last];
  const v = value.trim();
  if (!field || v === '' || v.length > 256) return undefined;
  if (field === 'mac.address') {
    const mac = normaliseMac(v);
    return mac ? ['mac.address', mac] : undefined;
  }
  // Dahua's getSystemInfo puts the model in deviceType; ISAPI puts a class there ("IPCamera").
  if (field === 'doc.device_type' && looksLikeModelCode(v)) return ['doc.model', v];
  return [field, v];
}

/** Walks a parsed JSON or XML tree (bounded), turning leaf key/value pairs into facts. */
function walk(node: unknown, key: string, depth: number, out: Fact[]): void {
  if (out.length >= MAX_FACTS || depth > MAX_DEPTH) return;
  if (typeof node === 'string' || typeof node === 'number') {
    const fact = factFor(key, String(node));
    if (fact) out.push(fact);
    return;
  }
  if (Array.isArray(node)) {
    for (const item of node.slice(0, 16)) walk(item, key, depth + 1, out);
    return;
  }
  if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k.startsWith('@')) continue;
      walk(v, k === '#text' ? key : k, depth + 1, out);
    }
  }
}

/** ISAPI gives the build apart ("V5.4.5" + "build 170124"): one firmware, as the device shows it. */
function joinBuild(facts: Fact[], text: string): Fact[] {
  const released = /<firmwareReleasedDate>\s*(build \d{6})\s*</i.exec(text)?.[1];
  if (!released) return facts;
  let joined = false;
  return facts.map(([f, v]): Fact => {
    if (f !== 'doc.firmware' || joined) return [f, v];
    joined = true;
    return [f, `${v} ${released}`];
  });
}

/**
 * A document cut short or pasted in part (a log line, a broken reply) is still read: its leaf
 * elements, `<key>value</key>`, one per match, bounded.
 */
function readXmlLeaves(text: string): DocumentRead | undefined {
  const facts: Fact[] = [];
  for (const m of text.matchAll(/<([A-Za-z][\w.-]{0,63})>([^<>]{1,256})<\/\1>/g)) {
    const fact = m[1] && m[2] ? factFor(m[1], decodeXmlText(m[2])) : undefined;
    if (fact) facts.push(fact);
    if (facts.length >= MAX_FACTS) break;
  }
  return facts.length > 0 ? { kind: 'xml-fragment', facts: joinBuild(facts, text) } : undefined;
}

/** The five predefined XML entities and numeric references, nothing else (no entity expansion). */
function decodeXmlText(v: string): string {
  return v
    .replace(/&#(\d{1,6});/g, (_m, d: string) => String.fromCodePoint(Number(d) % 0x110000))
    .replace(/&#x([0-9a-f]{1,6});/gi, (_m, h: string) =>
      String.fromCodePoint(Number.parseInt(h, 16) % 0x110000),
    )
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function readXml(text: string): DocumentRead | undefined {
  if (/<!DOCTYPE[^>]*\[|<!ENTITY/i.test(text)) return undefined;
  const parsed = parseXml(text);
  if (!parsed.ok) return /^<html|<!doctype html/i.test(text) ? undefined : readXmlLeaves(text);
  const rootName = Object.keys(parsed.doc).find((k) => !/^[?#!]/.test(k));
  if (!rootName || /^(?:html|Envelope|root|ProbeMatch)$/i.test(rootName)) return undefined;
  const namespace = /\bxmlns(?::\w+)?\s*=\s*["']([^"']{1,200})["']/.exec(text)?.[1];
  const facts: Fact[] = [];
  // Every top-level element: a fragment without its root parses as several.
  for (const [k, v] of Object.entries(parsed.doc)) if (!/^[?#!]/.test(k)) walk(v, k, 0, facts);
  // A document in a vendor's own schema says whose it is even without a device fact (an ISAPI
  // ResponseStatus error answer).
  if (facts.length === 0 && !namespace) return undefined;
  return { kind: `xml:${rootName}`, ...(namespace ? { namespace } : {}), facts: joinBuild(facts, text) };
}

function readJson(text: string): DocumentRead | undefined {
  let tree: unknown;
  try {
    tree = JSON.parse(text);
  } catch {
    return undefined;
  }
  const facts: Fact[] = [];
  walk(tree, '', 0, facts);
  return facts.length > 0 ? { kind: 'json', facts } : undefined;
}

/** Dahua/Amcrest CGI answers and Axis parameter lists: "key=value" lines. */
function readKeyValue(text: string): DocumentRead | undefined {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const pairs = lines.map((l) => /^\s*([A-Za-z][\w.[\]]{0,80})\s*=(.*)$/.exec(l));
  if (pairs.length === 0 || pairs.some((p) => !p)) return undefined;
  const facts: Fact[] = [];
  for (const p of pairs) {
    // Dahua's getSoftwareVersion: "version=2.800.0000000.21.R,build:2020-07-10".
    const fact =
      p?.[1] && p[2] !== undefined ? factFor(p[1], p[2].replace(/,build:/, ', build:')) : undefined;
    if (fact && facts.length < MAX_FACTS) facts.push(fact);
  }
  return facts.length > 0 ? { kind: 'keyvalue', facts } : undefined;
}

/** Pure: a payload → the device-information document it is, read by its shape, or undefined. */
export function readDocument(payload: Buffer): DocumentRead | undefined {
  if (payload.length === 0 || payload.length > MAX_DOCUMENT_BYTES) return undefined;
  const text = payload
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trim();
  if (text.startsWith('<')) return readXml(text);
  if (text.startsWith('{') || text.startsWith('[')) return readJson(text);
  return readKeyValue(text);
}

/**
 * A cheap first look (the full read runs only when this says yes): XML that is not an HTML page,
 * JSON, or a first line of the form key=value.
 */
export function looksLikeDocument(payload: Buffer): boolean {
  if (payload.length === 0 || payload.length > MAX_DOCUMENT_BYTES) return false;
  const head = payload
    .subarray(0, 512)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (head.startsWith('<')) return !/^<(?:!doctype html|html)[\s>]/i.test(head) && !/<html[\s>]/i.test(head);
  if (head.startsWith('{') || head.startsWith('[')) return true;
  return /^[A-Za-z][\w.[\]]{0,80}\s*=[^\r\n]*(?:\r?\n|$)/.test(head);
}

/** Pure: the observations a device-information document carries about the exchange's host. */
export function observeDocument(ex: Exchange, payload: Buffer): Observation[] {
  const doc = readDocument(payload);
  if (!doc) return [];
  const obs = observationMaker<FieldName>(ex);
  return [
    ...obs('doc.kind', doc.kind),
    ...obs('doc.namespace', doc.namespace),
    ...doc.facts.flatMap(([field, value]) => obs(field, value)),
  ];
}
