import { parentOf, related } from './relations.ts';
import { hostsIn, nameVariants, nameWords } from './vendor-names.ts';
import type { VendorRegistry } from './vendors.ts';

/**
 * vendors.yaml turned round: from what a device may say (a name in any spelling, a domain, an IANA
 * enterprise number, an IEEE registrant) to the vendor id. Built once when the registry loads.
 */
export interface VendorIndex {
  /** Whole normalised names → vendor ids (several where two vendors share a spelling). */
  byName: Map<string, string[]>;
  /** Names that may be found inside free text (not ordinary words, three letters or more). */
  inText: Map<string, string[]>;
  /** The longest name, in words, worth trying at one place in a text. */
  longest: number;
  byDomain: Map<string, string>;
  byEnterprise: Map<number, string>;
}

function add(map: Map<string, string[]>, key: string, id: string): void {
  const list = map.get(key) ?? [];
  if (!list.includes(id)) list.push(id);
  map.set(key, list);
}

export function buildVendorIndex(reg: Pick<VendorRegistry, 'byId'>): VendorIndex {
  const index: VendorIndex = {
    byName: new Map(),
    inText: new Map(),
    longest: 1,
    byDomain: new Map(),
    byEnterprise: new Map(),
  };
  for (const v of reg.byId.values()) {
    for (const w of nameVariants(v)) {
      const key = w.join(' ');
      add(index.byName, key, v.id);
      // "Ring", "Axis", "HP" inside a banner are too likely to be something else.
      if (!v.commonWord && key.replaceAll(' ', '').length >= 3) {
        add(index.inText, key, v.id);
        index.longest = Math.max(index.longest, w.length);
      }
    }
    for (const d of v.domains ?? []) index.byDomain.set(d.toLowerCase(), v.id);
    for (const n of v.enterpriseNumbers ?? []) index.byEnterprise.set(n, v.id);
  }
  return index;
}

/**
 * Of several vendors found together, the most specific one when they are one family (EZVIZ and
 * Hikvision → EZVIZ); nothing when they are unrelated (a banner naming two makers proves neither).
 */
export function oneVendor(reg: VendorRegistry, ids: readonly string[]): string | undefined {
  const unique = [...new Set(ids)];
  if (unique.length <= 1) return unique[0];
  for (const a of unique) for (const b of unique) if (!related(reg, a, b)) return undefined;
  // Within one family, the one no other found vendor descends from.
  const isAncestorOfAnother = (id: string) =>
    unique.some((other) => other !== id && ancestors(reg, other).includes(id));
  const leaves = unique.filter((id) => !isAncestorOfAnother(id));
  return leaves.length === 1 ? leaves[0] : undefined;
}

function ancestors(reg: VendorRegistry, id: string): string[] {
  const out: string[] = [];
  let cur = id;
  for (let i = 0; i < 8; i++) {
    const p = parentOf(reg, cur);
    if (!p || out.includes(p.vendor)) break;
    out.push(p.vendor);
    cur = p.vendor;
  }
  return out;
}

/** The vendors a value names as a whole ("HIKVISION", "Zhejiang Uniview Technologies Co., Ltd."). */
export function vendorsNamedBy(index: VendorIndex, value: string): string[] {
  return index.byName.get(nameWords(value).join(' ')) ?? [];
}

/** The vendors named anywhere inside a text, by name (whole words) or by one of their domains. */
export function vendorsInText(index: VendorIndex, text: string): string[] {
  const found: string[] = [...vendorsInDomains(index, text)];
  const kept = nameWords(text);
  for (let i = 0; i < kept.length; i++) {
    // Longest name first: "Samsung Techwin" before "Samsung".
    for (let len = Math.min(index.longest, kept.length - i); len >= 1; len--) {
      const ids = index.inText.get(kept.slice(i, i + len).join(' '));
      if (ids) {
        found.push(...ids);
        i += len - 1;
        break;
      }
    }
  }
  return found;
}

/** The vendors whose domains (or sub-domains of them) appear in a text: URLs, e-mail, bare names. */
export function vendorsInDomains(index: VendorIndex, text: string): string[] {
  const out: string[] = [];
  for (const host of hostsIn(text)) {
    const labels = host.split('.');
    for (let i = 0; i < labels.length - 1; i++) {
      const id = index.byDomain.get(labels.slice(i).join('.'));
      if (id) {
        out.push(id);
        break;
      }
    }
  }
  return out;
}

/** The vendor of an SNMP sysObjectID: its IANA private enterprise number (1.3.6.1.4.1.<n>). */
export function vendorOfEnterpriseOid(index: VendorIndex, oid: string): string | undefined {
  const m = /(?:^|[.:])(?:1\.3\.6\.1\.4\.1|enterprises)\.(\d{1,10})(?:\.|$)/.exec(oid.trim());
  return m?.[1] ? index.byEnterprise.get(Number(m[1])) : undefined;
}
