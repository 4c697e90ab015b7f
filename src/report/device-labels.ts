import type { Device } from '../core/device.ts';

/**
 * Labels the terminal table and the HTML report both print, kept in one place so the two
 * outputs never disagree about what a device is called or whether it counts as identified.
 */

/** "Brand (made by Maker)" when a brand is sold under another company's hardware, else the maker. */
export function makerLabel(d: { maker?: string; brand?: string }, names: (id: string) => string): string {
  if (!d.maker) return '';
  if (d.brand && d.brand !== d.maker) return `${names(d.brand)} (made by ${names(d.maker)})`;
  return names(d.maker);
}

/** Device types that still need a maker before a finding-free device can be called clear. */
const NEEDS_MAKER = ['camera', 'recorder', 'camera-or-recorder'];

/**
 * A device without findings is cleared when its maker is known or it is plainly not a camera or
 * recorder; a camera of unknown make stays "unidentified" because policy could not be checked.
 */
export function isIdentified(d: Pick<Device, 'maker' | 'deviceType'>): boolean {
  return Boolean(d.maker || (d.deviceType && !NEEDS_MAKER.includes(d.deviceType)));
}
