import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CamsweepError } from '../core/errors.ts';
import { FINGERPRINTS_DIR } from '../core/paths.ts';
import { readYamlFile, validateYaml } from '../core/yaml-file.ts';
import { loadOuiTable, ouiOrganisation } from './oui.ts';
import { buildVendorIndex, type VendorIndex } from './vendor-index.ts';

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
  /** Sells much besides the cameras its relations concern: its name alone never implies their maker. */
  diversified?: boolean;
  provenance?: string;
}

export interface VendorRegistry {
  byId: Map<string, Vendor>;
  get(id: string): Vendor | undefined;
  name(id: string): string;
  /** The IEEE registrant of a MAC's prefix (the IEEE tables are part of the loaded knowledge). */
  ouiOrganisation(mac: string): string | undefined;
  /** What devices may say (names, domains, enterprise numbers, registrants) → vendor ids. */
  index: VendorIndex;
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
    index: buildVendorIndex({ byId }),
  };
}
