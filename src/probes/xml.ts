import { XMLParser } from 'fast-xml-parser';

/** Devices are hostile until proven otherwise: bound every XML document before parsing it. */
export const MAX_XML_BYTES = 256 * 1024;
export const MAX_XML_DEPTH = 64;

export type XmlResult = { ok: true; doc: Record<string, unknown> } | { ok: false; reason: string };

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Keep "0012345" and "5.50" as written (DEPENDENCIES.md: parseTagValue loses digits).
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: true,
  isArray: (name) => name === 'ProbeMatch' || name === 'Service',
});

/** Depth by a linear scan, so 100,000 nested elements are refused before any recursion. */
function depthOf(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 60) continue; // '<'
    const next = text[i + 1];
    if (next === '/') depth -= 1;
    else if (next !== '?' && next !== '!') {
      const close = text.indexOf('>', i);
      if (close === -1) break;
      if (text[close - 1] !== '/') depth += 1;
      if (depth > max) max = depth;
      if (max > limit) return max;
      i = close;
    }
  }
  return max;
}

export function parseXml(text: string): XmlResult {
  if (text.length > MAX_XML_BYTES) return { ok: false, reason: `document over ${MAX_XML_BYTES} bytes` };
  // Entity declarations are never expanded: refuse them outright (billion laughs, XXE).
  if (/<!DOCTYPE[^>]*\[/i.test(text) || /<!ENTITY/i.test(text)) {
    return { ok: false, reason: 'document declares entities' };
  }
  if (depthOf(text, MAX_XML_DEPTH) > MAX_XML_DEPTH) {
    return { ok: false, reason: `nesting deeper than ${MAX_XML_DEPTH}` };
  }
  try {
    const doc = parser.parse(text) as unknown;
    if (!doc || typeof doc !== 'object') return { ok: false, reason: 'not XML' };
    return { ok: true, doc: doc as Record<string, unknown> };
  } catch (err) {
    return {
      ok: false,
      reason: err instanceof Error ? (err.message.split('\n')[0] ?? 'bad XML') : 'bad XML',
    };
  }
}

/** Follows a path of local element names; arrays take their first element. */
export function xmlPath(node: unknown, ...path: string[]): unknown {
  let cur = node;
  for (const key of path) {
    if (Array.isArray(cur)) cur = cur[0];
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Text content of an element parsed with attributes (`#text`) or without. */
export function xmlText(node: unknown): string | undefined {
  if (Array.isArray(node)) return xmlText(node[0]);
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (node && typeof node === 'object' && '#text' in node)
    return xmlText((node as Record<string, unknown>)['#text']);
  return undefined;
}
