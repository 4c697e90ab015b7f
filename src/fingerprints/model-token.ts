import { words } from './vendor-names.ts';

/** Words that describe a product's kind, not which product it is ("Network Camera", "Switch"). */
const KIND_WORDS = new Set([
  'network',
  'networking',
  'camera',
  'ip',
  'video',
  'server',
  'software',
  'switch',
  'ethernet',
  'router',
  'printer',
  'printers',
  'color',
  'colour',
  'laser',
  'series',
  'version',
  'release',
  'ready',
  'welcome',
  'ftp',
  'web',
  'http',
  'console',
  'control',
  'system',
  'the',
  'to',
  'at',
  'of',
  'for',
  'nvr',
  'dvr',
]);

/** A model number: letters and digits (a digit at least), dashes allowed; not a version, address or MAC. */
function isModelCode(t: string): boolean {
  if (t.length < 3 || t.length > 32 || !/\d/.test(t) || !/[A-Za-z]/.test(t)) return false;
  if (/^v?\d+(?:\.\d+)+[a-z]?$/i.test(t)) return false; // a version
  if (/^[0-9a-f]{12}$/i.test(t) || /^[0-9a-f]{8}$/i.test(t)) return false; // a MAC or its tail
  if (/^\d+(?:st|nd|rd|th|am|pm|k|m|g|mb|gb|kb|mhz|ghz)$/i.test(t)) return false;
  if (/\d{10}/.test(t) || /[0-9a-f]{12}/i.test(t)) return false; // a serial number or a MAC inside one
  return /^[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]$/.test(t);
}

/**
 * Pure: the model a free-text banner of a named maker most likely carries: the first model-like
 * token ("SNC-EP520", "AC6605-26-PWR", "N1548"), with the product-line word before it when there
 * is one ("LaserJet P3005", "bizhub C454e", "Phaser 6600N"). The maker's own names are skipped.
 * A weak claim: any pattern that names a model wins over it.
 */
export function modelIn(text: string, makerWords: ReadonlySet<string>): string | undefined {
  // An FTP or SMTP reply code is not part of the text ("220-Sony Network Camera …").
  const tokens = text
    .replace(/^\d{3}[ -]/gm, '')
    .split(/[\s,;:()[\]"']+/)
    .filter(Boolean);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] ?? '';
    // The maker's own name, alone or as a prefix ("BOSCH-4047…" is a host name, not a model).
    const head = t.toLowerCase().split('-')[0] ?? '';
    if (makerWords.has(t.toLowerCase()) || makerWords.has(head) || !isModelCode(t)) continue;
    const before = tokens[i - 1];
    const line =
      before &&
      /^[A-Za-z]{3,}$/.test(before) &&
      !KIND_WORDS.has(before.toLowerCase()) &&
      !makerWords.has(before.toLowerCase())
        ? before
        : undefined;
    return line ? `${line} ${t}` : t;
  }
  return undefined;
}

/** The lowercase words of a vendor's names, to skip them as model candidates. */
export function makerWordsOf(names: readonly string[]): Set<string> {
  return new Set(names.flatMap((n) => words(n)));
}
