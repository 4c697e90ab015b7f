import { createRequire } from 'node:module';
import { isLocallyAdministered } from '../core/mac.ts';

/** The IEEE MA-L, MA-M and MA-S registries as one map: hex prefix (6, 7 or 9 digits) → registrant and address. */
export type OuiTable = Readonly<Record<string, string>>;

let cached: OuiTable | undefined;

/** oui-data (DEPENDENCIES.md), read once per process when the knowledge is loaded. */
export function loadOuiTable(): OuiTable {
  cached ??= createRequire(import.meta.url)('oui-data') as OuiTable;
  return cached;
}

/** Pure: the registrant of the longest matching prefix (36, 28, then 24 bits), first line only. */
export function ouiOrganisation(table: OuiTable, mac: string): string | undefined {
  const hex = mac.replace(/[^0-9a-f]/gi, '').toUpperCase();
  if (hex.length !== 12 || isLocallyAdministered(hex)) return undefined;
  for (const len of [9, 7, 6]) {
    const org = table[hex.slice(0, len)];
    if (org) return org.split('\n')[0]?.trim();
  }
  return undefined;
}
