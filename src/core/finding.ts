export type Severity = 'restricted' | 'review';
export type Confidence = 'confirmed' | 'probable' | 'possible';

export interface Evidence {
  field: string;
  value: string;
  host: string;
  port?: number;
  probe?: string;
  fingerprint: string;
  says: string;
}

export interface Finding {
  type: 'finding';
  schemaVersion: number;
  device: string;
  addresses: string[];
  policy: string;
  rule: string;
  severity: Severity;
  confidence: Confidence;
  maker: string;
  brand?: string;
  model?: string;
  firmware?: string;
  mac?: string;
  /** The site label: --site, or the `[section]` of the target file the address came from. */
  site?: string;
  /** How the maker relates to the restricted entity, e.g. "Amcrest (made by Dahua)". */
  lineage: string;
  basis: string;
  action: string;
  evidence: Evidence[];
}
