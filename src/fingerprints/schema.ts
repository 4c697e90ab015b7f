import type { DeviceType, IdentityClaims } from '../core/identification.ts';
import type { FieldName } from '../observations/fields.ts';

/** A claim template: values may hold {group} placeholders filled from the pattern's named groups. */
export type ClaimTemplate = { [K in keyof IdentityClaims]?: K extends 'deviceType' ? DeviceType : string };

export interface FingerprintExample {
  value: string;
  expect: Partial<Record<keyof IdentityClaims, string>>;
}

export interface Fingerprint {
  id: string;
  field: FieldName;
  pattern: string;
  flags?: string;
  regex: RegExp;
  set: ClaimTemplate;
  certainty: number;
  examples: FingerprintExample[];
  counterexamples: string[];
  provenance: string;
  note?: string;
  /** Where it was defined, for `file:line` messages. */
  file: string;
  line: number;
}

export interface FingerprintFile {
  file: string;
  field: FieldName;
  /** Fields whose values have the same form; the file's patterns apply there after their own files. */
  alsoFields: FieldName[];
  fingerprints: Fingerprint[];
}

/** Values are cut to this length before any pattern runs: bounds the cost of every regex. */
export const MAX_MATCH_INPUT = 1024;
