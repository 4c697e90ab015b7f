import { createRequire } from 'node:module';

type OuiTable = Record<string, string>;
let table: OuiTable | undefined;

/** oui-data: the IEEE MA-L, MA-M and MA-S registries as one JSON map (DEPENDENCIES.md). Loaded on first use. */
function load(): OuiTable {
  table ??= createRequire(import.meta.url)('oui-data') as OuiTable;
  return table;
}

/** Locally administered (randomised) MACs name no maker and are never attributed. */
export function isLocallyAdministered(mac: string): boolean {
  const first = Number.parseInt(mac.replace(/[^0-9a-f]/gi, '').slice(0, 2), 16);
  return Number.isNaN(first) || (first & 0x02) !== 0;
}

/** The registrant of the longest matching prefix (36, 28, then 24 bits), first line only. */
export function ouiOrganisation(mac: string): string | undefined {
  const t = load();
  const hex = mac.replace(/[^0-9a-f]/gi, '').toUpperCase();
  if (hex.length !== 12 || isLocallyAdministered(hex)) return undefined;
  for (const len of [9, 7, 6]) {
    const org = t[hex.slice(0, len)];
    if (org) return org.split('\n')[0]?.trim();
  }
  return undefined;
}
