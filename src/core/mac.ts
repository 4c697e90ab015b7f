/** Locally administered (randomised) MACs name no maker and are never attributed. */
export function isLocallyAdministered(mac: string): boolean {
  const first = Number.parseInt(mac.replace(/[^0-9a-f]/gi, '').slice(0, 2), 16);
  return Number.isNaN(first) || (first & 0x02) !== 0;
}
