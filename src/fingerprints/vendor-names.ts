import type { Vendor } from './vendors.ts';

/**
 * Words that say what kind of company a name belongs to, not which one: "Zhejiang Dahua Technology
 * Co., Ltd.", "Dahua Technology" and "DAHUA" are one maker. Dropped from names and from the text
 * searched for them alike, so both sides meet in the middle.
 */
const COMPANY_WORDS = new Set([
  'co',
  'company',
  'ltd',
  'limited',
  'inc',
  'incorporated',
  'corp',
  'corporation',
  'llc',
  'gmbh',
  'ag',
  'sa',
  'bv',
  'nv',
  'plc',
  'srl',
  'spa',
  'kk',
  'pty',
  'pvt',
  'private',
  'the',
  'and',
  'technology',
  'technologies',
  'tech',
  'digital',
  'electronic',
  'electronics',
  'communication',
  'communications',
  'system',
  'systems',
  'group',
  'holding',
  'holdings',
  'international',
  'intl',
  'industrial',
  'industries',
  'security',
]);

/** Places that open Chinese and Taiwanese legal names ("Hangzhou Hikvision …"); a name without them is the same maker. */
const PLACE_WORDS = new Set([
  'hangzhou',
  'zhejiang',
  'shenzhen',
  'guangzhou',
  'guangdong',
  'beijing',
  'shanghai',
  'fujian',
  'xiamen',
  'fuzhou',
  'wuhan',
  'chongqing',
  'tianjin',
  'nanjing',
  'suzhou',
  'ningbo',
  'dongguan',
  'jiangsu',
  'sichuan',
  'chengdu',
  'hefei',
  'qingdao',
  'taiwan',
  'taipei',
]);

/** Lowercase words of a string, accents and punctuation gone ("TP-Link" → tp link). */
export function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** The words that name a company: company-kind words dropped (kept if nothing else is left). */
export function nameWords(text: string): string[] {
  const all = words(text);
  const kept = all.filter((w) => !COMPANY_WORDS.has(w));
  return kept.length > 0 ? kept : all;
}

/** Every spelling of a vendor's name worth looking for: name, aliases, legal name, id, OUI registrants. */
export function nameVariants(v: Vendor): string[][] {
  const raw = [v.name, v.id.replaceAll('-', ' '), ...v.aliases, ...(v.legalName ? [v.legalName] : [])];
  raw.push(...(v.ouiRegistrants ?? []));
  const out = new Map<string, string[]>();
  for (const r of raw) {
    const w = nameWords(r);
    out.set(w.join(' '), w);
    // "Hangzhou Hikvision" is also "Hikvision".
    let i = 0;
    while (i < w.length - 1 && PLACE_WORDS.has(w[i] ?? '')) i++;
    if (i > 0) out.set(w.slice(i).join(' '), w.slice(i));
  }
  return [...out.values()].filter((w) => w.length > 0);
}

/** Host names in a text: URLs, e-mail addresses, bare domains. Lowercase, without a trailing dot. */
export function hostsIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text
    .toLowerCase()
    .matchAll(/(?:^|[^a-z0-9.-])([a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})*\.[a-z]{2,24})(?![a-z0-9-])/g)) {
    if (m[1]) out.push(m[1]);
  }
  return out;
}
