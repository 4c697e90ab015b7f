/**
 * The registry of observation fields: the contract between parsers (producers) and fingerprint
 * files (consumers), merged from the protocol descriptors (each folder owns its fields in its
 * fields.ts). test/unit/fields.test.ts keeps producers, registry and fingerprint files in step.
 */
import { type FieldName, PROTOCOLS } from '../probes/index.ts';

export type { FieldName };

export const FIELDS: Readonly<Record<FieldName, string>> = Object.assign(
  {},
  ...PROTOCOLS.map((d) => d.fields),
);

export function isField(name: string): name is FieldName {
  return Object.hasOwn(FIELDS, name);
}
