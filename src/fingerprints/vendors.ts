import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CamsweepError } from '../core/errors.ts';
import { FINGERPRINTS_DIR } from '../core/paths.ts';
import { readYamlFile, validateYaml } from '../core/yaml-file.ts';
import { loadOuiTable, ouiOrganisation } from './oui.ts';

export type RelationType = 'subsidiaryOf' | 'oemOf' | 'formerSubsidiaryOf';
export type RelationConfidence = 'verified' | 'reported' | 'unverified';

export interface Relation {
  type: RelationType;
  of: string;
  since?: string;
  until?: string;
  confidence: RelationConfidence;
  evidence: string;
}

export interface Vendor {
  id: string;
  name: string;
  legalName?: string;
  country?: string;
  aliases: string[];
  kind?: 'maker' | 'brand' | 'oem-buyer';
  relations: Relation[];
  /** Web and e-mail domains its firmware and documents name. */
  domains?: string[];
  /** IANA private enterprise numbers (SNMP sysObjectID 1.3.6.1.4.1.<n>). */
  enterpriseNumbers?: number[];
  /** IEEE OUI registrant names, as the IEEE lists them. */
  ouiRegistrants?: string[];
  /** The name is an ordinary word: matched only as a whole maker field, never in free text. */
  commonWord?: boolean;
  provenance?: string;
}

export interface VendorRegistry {
  byId: Map<string, Vendor>;
  get(id: string): Vendor | undefined;
  name(id: string): string;
  /** The IEEE registrant of a MAC's prefix (the IEEE tables are part of the loaded knowledge). */
  ouiOrganisation(mac: string): string | undefined;
}

const schema = JSON.parse(
  readFileSync(join(FINGERPRINTS_DIR, 'schema', 'vendors.schema.json'), 'utf8'),
) as object;

export function loadVendors(path = join(FINGERPRINTS_DIR, 'vendors.yaml')): VendorRegistry {
  const file = readYamlFile(path, 'FINGERPRINT', 'fingerprints/vendors.yaml');
  const shown = file;
  validateYaml(shown, schema, 'FINGERPRINT');
  const raw = (file.data as { vendors: (Omit<Vendor, 'aliases' | 'relations'> & Partial<Vendor>)[] }).vendors;
  const byId = new Map<string, Vendor>();
  raw.forEach((v, index) => {
    if (byId.has(v.id)) {
      throw new CamsweepError(
        'FINGERPRINT',
        `${shown.path}:${shown.lineOf(['vendors', index, 'id'])}: duplicate vendor id "${v.id}"`,
      );
    }
    byId.set(v.id, { ...v, aliases: v.aliases ?? [], relations: v.relations ?? [] });
  });
  raw.forEach((v, index) => {
    (v.relations ?? []).forEach((r, ri) => {
      if (!byId.has(r.of)) {
        const line = shown.lineOf(['vendors', index, 'relations', ri, 'of']);
        throw new CamsweepError('FINGERPRINT', `${shown.path}:${line}: relation to unknown vendor "${r.of}"`);
      }
    });
  });
  const oui = loadOuiTable();
  return {
    byId,
    get: (id) => byId.get(id),
    name: (id) => byId.get(id)?.name ?? id,
    ouiOrganisation: (mac) => ouiOrganisation(oui, mac),
  };
}

/**
 * The vendor that stands behind a brand: the target of its strongest current relation
 * (subsidiaryOf before oemOf). Unverified relations are never followed: they must not raise a
 * verdict on their own (issue #4).
 */
export function parentOf(
  reg: VendorRegistry,
  id: string,
): { vendor: string; relation: Relation } | undefined {
  const v = reg.get(id);
  if (!v) return undefined;
  const usable = v.relations.filter((r) => r.confidence !== 'unverified' && r.type !== 'formerSubsidiaryOf');
  const rel = usable.find((r) => r.type === 'subsidiaryOf') ?? usable.find((r) => r.type === 'oemOf');
  return rel ? { vendor: rel.of, relation: rel } : undefined;
}

/** Two vendor ids belong together when one reaches the other through usable relations. */
export function related(reg: VendorRegistry, a: string, b: string): boolean {
  if (a === b) return true;
  const chain = (id: string): Set<string> => {
    const seen = new Set<string>([id]);
    let cur: string | undefined = id;
    for (let i = 0; i < 8 && cur; i++) {
      const p = parentOf(reg, cur);
      if (!p || seen.has(p.vendor)) break;
      seen.add(p.vendor);
      cur = p.vendor;
    }
    return seen;
  };
  const ca = chain(a);
  const cb = chain(b);
  for (const x of ca) if (cb.has(x)) return true;
  return false;
}
