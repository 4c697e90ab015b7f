import type { Identification, IdentityClaims } from './identification.ts';

export interface Conflict {
  attribute: 'maker' | 'brand' | 'model' | 'firmware';
  values: { value: string; certainty: number; fingerprints: string[] }[];
}

/** One physical device, resolved from all observations that belong to it. */
export interface Device extends IdentityClaims {
  type: 'device';
  schemaVersion: number;
  id: string;
  addresses: string[];
  ports: number[];
  mac?: string;
  /** The site label: --site, or the `[section]` of the target file the address came from. */
  site?: string;
  /** Combined certainty of the maker claim, 0–1 (0 when no maker). */
  certainty: number;
  identifications: Identification[];
  conflicts: Conflict[];
  /** Notes for the reader, e.g. why no maker was named. */
  notes: string[];
}
