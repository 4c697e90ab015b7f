import type { Conflict, Device } from '../core/device.ts';
import type { DeviceType, Identification } from '../core/identification.ts';
import { isLocallyAdministered } from '../core/mac.ts';
import type { Observation } from '../core/observation.ts';
import { SCHEMA_VERSION } from '../core/schema-version.ts';
import { parentOf, related } from './relations.ts';
import type { VendorRegistry } from './vendors.ts';

/** A maker claim below this combined certainty is not named. */
const NAME_THRESHOLD = 0.5;
/** An unrelated maker claim this strong makes the maker unresolvable rather than a guess. */
const CONFLICT_THRESHOLD = 0.6;
/** A maker inferred only from a brand's OEM relation is trusted less than the firmware's own words. */
const INFERRED_FACTOR = 0.8;
/**
 * Vendor SDK ports (PROTOCOLS.md §4.6). One device never runs two makers' SDK services, but an
 * answer-everything honeypot (every port open) shows them all.
 */
const SDK_PORT_MAKERS: Readonly<Record<number, string>> = {
  8000: 'hikvision',
  37777: 'dahua',
  34567: 'xiongmai',
};

type Attr = 'maker' | 'brand' | 'model' | 'firmware' | 'serial';

interface Scored {
  value: string;
  certainty: number;
  fingerprints: string[];
}

/** Combines independent claims: 1 − Π(1 − c), counting each fingerprint once (its best match). */
function score(ids: readonly Identification[], attr: Attr): Scored[] {
  const byValue = new Map<string, Map<string, number>>();
  for (const id of ids) {
    const v = id[attr];
    if (!v) continue;
    const fps = byValue.get(v) ?? new Map<string, number>();
    fps.set(id.fingerprint, Math.max(fps.get(id.fingerprint) ?? 0, id.certainty));
    byValue.set(v, fps);
  }
  return [...byValue.entries()]
    .map(([value, fps]) => ({
      value,
      certainty: 1 - [...fps.values()].reduce((acc, c) => acc * (1 - c), 1),
      fingerprints: [...fps.keys()],
    }))
    .sort((a, b) => b.certainty - a.certainty || a.value.localeCompare(b.value));
}

/**
 * Among related brand claims, the most specific wins: a HiWatch unit whose firmware also says
 * HIKVISION is reported as HiWatch (made by Hikvision), which is what the label on the box says.
 */
function preferSpecific(brands: Scored[], vendors: VendorRegistry): Scored[] {
  const strong = brands.filter((b) => b.certainty >= NAME_THRESHOLD);
  const top = strong[0];
  if (!top) return brands;
  const descendant = strong.find((b) => b.value !== top.value && isAncestor(vendors, top.value, b.value));
  return descendant ? [descendant, ...brands.filter((b) => b !== descendant)] : brands;
}

function isAncestor(vendors: VendorRegistry, ancestor: string, id: string): boolean {
  let cur = id;
  for (let i = 0; i < 8; i++) {
    const p = parentOf(vendors, cur);
    if (!p) return false;
    if (p.vendor === ancestor) return true;
    cur = p.vendor;
  }
  return false;
}

function firstMac(observations: readonly Observation[]): string | undefined {
  return observations.find((o) => o.field === 'mac.address')?.value.toLowerCase();
}

/** The MAC that may merge hosts: locally administered (randomised) MACs identify nobody. */
function mergeMac(observations: readonly Observation[]): string | undefined {
  const mac = firstMac(observations);
  return mac && !isLocallyAdministered(mac) ? mac : undefined;
}

/** Serial claims and observed serial fields, normalised; EndpointReferences; the MAC. */
function identityKeys(obs: readonly Observation[], ids: readonly Identification[]): string[] {
  const keys = new Set<string>();
  const mac = mergeMac(obs);
  if (mac) keys.add(`mac:${mac}`);
  for (const id of ids) if (id.serial && id.serial.length >= 6) keys.add(`serial:${id.serial.toUpperCase()}`);
  for (const o of obs) {
    if (/\.serial$/.test(o.field) && o.value.length >= 6) keys.add(`serial:${o.value.toUpperCase()}`);
    // Bare "uuid:" and "urn:uuid:" forms name the same endpoint.
    if (o.field === 'wsd.endpoint' && o.value) keys.add(`epr:${o.value.toLowerCase().replace(/^urn:/, '')}`);
  }
  return [...keys];
}

function groupKey(host: string, mac: string | undefined): string {
  return mac ? `mac:${mac}` : `ip:${host}`;
}

/**
 * Pure: all observations and identifications of a sweep in, one Device per physical device out.
 * Hosts are merged when they report the same (globally administered) MAC address.
 */
export function resolveDevices(
  observations: readonly Observation[],
  identifications: readonly Identification[],
  vendors: VendorRegistry,
): Device[] {
  const obsByHost = new Map<string, Observation[]>();
  for (const o of observations) {
    const list = obsByHost.get(o.host) ?? [];
    list.push(o);
    obsByHost.set(o.host, list);
  }
  // One device per physical box: hosts that share a globally administered MAC, a serial number
  // or an ONVIF EndpointReference are one device (keys in that order of strength), else the IP.
  const parent = new Map<string, string>();
  const find = (h: string): string => {
    let r = h;
    while (parent.get(r) !== r) r = parent.get(r) ?? r;
    parent.set(h, r);
    return r;
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  };
  const owners = new Map<string, string>();
  const idsOfHost = new Map<string, Identification[]>();
  for (const id of identifications) {
    const list = idsOfHost.get(id.host) ?? [];
    list.push(id);
    idsOfHost.set(id.host, list);
  }
  for (const host of new Set([...obsByHost.keys(), ...idsOfHost.keys()])) parent.set(host, host);
  for (const [host, obs] of obsByHost) {
    for (const key of identityKeys(obs, idsOfHost.get(host) ?? [])) {
      const owner = owners.get(key);
      if (owner) union(owner, host);
      else owners.set(key, host);
    }
  }
  const groups = new Map<string, { hosts: Set<string>; mac?: string }>();
  const hostGroup = new Map<string, string>();
  for (const host of parent.keys()) {
    const root = find(host);
    const g = groups.get(root) ?? { hosts: new Set<string>() };
    g.hosts.add(host);
    groups.set(root, g);
    hostGroup.set(host, root);
  }
  for (const g of groups.values()) {
    const mac = [...g.hosts].map((h) => mergeMac(obsByHost.get(h) ?? [])).find(Boolean);
    if (mac) g.mac = mac;
  }
  const idsByGroup = new Map<string, Identification[]>();
  const seenIds = new Set<string>();
  for (const id of identifications) {
    // The same banner on every page of one port is one piece of evidence, not four.
    const dedupe = `${id.fingerprint}\n${id.host}\n${id.port ?? ''}\n${id.value}`;
    if (seenIds.has(dedupe)) continue;
    seenIds.add(dedupe);
    const key = hostGroup.get(id.host) ?? id.host;
    const list = idsByGroup.get(key) ?? [];
    list.push(id);
    idsByGroup.set(key, list);
  }
  const devices: Device[] = [];
  for (const [root, g] of groups) {
    const ids = idsByGroup.get(root) ?? [];
    const obs = [...g.hosts].flatMap((h) => obsByHost.get(h) ?? []);
    const first = [...g.hosts].sort(compareAddresses)[0] ?? root;
    devices.push(resolveOne(groupKey(first, g.mac), g.hosts, g.mac, obs, ids, vendors));
  }
  return devices.sort((a, b) => compareAddresses(a.addresses[0] ?? '', b.addresses[0] ?? ''));
}

interface MakerChoice {
  maker: Scored | undefined;
  conflicts: Conflict[];
  notes: string[];
  honeypot: boolean;
}

/** The maker the evidence names, or none with the reason: a honeypot, strong rivals, or too little. */
function chooseMaker(
  ids: readonly Identification[],
  openPorts: ReadonlySet<number>,
  vendors: VendorRegistry,
): MakerChoice {
  const notes: string[] = [];
  const conflicts: Conflict[] = [];
  const makers = score(ids, 'maker').filter((m) => m.certainty > 0);
  const sdkMakers = new Set([...openPorts].map((p) => SDK_PORT_MAKERS[p]).filter(Boolean));
  const top = makers[0];
  if (sdkMakers.size >= 2) {
    notes.push(
      `open SDK ports of ${sdkMakers.size} unrelated makers (${[...sdkMakers].join(', ')}); likely an answer-everything honeypot, so no maker is named`,
    );
    if (top) conflicts.push({ attribute: 'maker', values: makers });
    return { maker: undefined, conflicts, notes, honeypot: true };
  }
  if (!top) return { maker: undefined, conflicts, notes, honeypot: false };
  const rivals = makers.slice(1).filter((m) => !related(vendors, m.value, top.value));
  if (rivals.length > 0) conflicts.push({ attribute: 'maker', values: [top, ...rivals] });
  const strongRivals = rivals.filter((m) => m.certainty >= CONFLICT_THRESHOLD);
  if (strongRivals.length > 0) {
    notes.push(
      strongRivals.length >= 2
        ? `answers as ${strongRivals.length + 1} unrelated makers; likely a honeypot or a proxy, so no maker is named`
        : `conflicting evidence (${top.value} vs ${strongRivals.map((r) => r.value).join(', ')}); no maker is named`,
    );
    return { maker: undefined, conflicts, notes, honeypot: false };
  }
  if (top.certainty < NAME_THRESHOLD) {
    notes.push(`weak evidence for ${top.value} (${top.certainty.toFixed(2)}); no maker is named`);
    return { maker: undefined, conflicts, notes, honeypot: false };
  }
  return { maker: top, conflicts, notes, honeypot: false };
}

/** Fields only cameras and recorders send: their discovery protocols, streaming and SDK ports. */
const CAMERA_FIELD = /^(?:rtsp|onvif|wsd|sadp|dhip|dvrip|sdk|dahua_legacy)\./;

/**
 * The observations resolution reads besides identifications: MACs, serials and EndpointReferences
 * (which hosts are one device), open ports (SDK-port honeypots) and the fields that say "camera".
 * A streaming reader keeps only these, so a large recording costs its identifications, not its bytes.
 */
export function usedByResolution(field: string): boolean {
  return (
    field === 'mac.address' ||
    field === 'tcp.open_port' ||
    field === 'wsd.endpoint' ||
    field.endsWith('.serial') ||
    CAMERA_FIELD.test(field)
  );
}
const CAMERA_PORTS = new Set([554, 8554, 8000, 37777, 34567]);

/**
 * A diversified brand (Honeywell, Intelbras … : `diversified` in vendors.yaml) sells much besides
 * the cameras another maker builds for it: its name alone must not make a thermostat or a router a
 * Dahua. Its relation is followed only for a device that also looks like a camera or recorder.
 */
function looksLikeCamera(
  obs: readonly Observation[],
  ids: readonly Identification[],
  openPorts: ReadonlySet<number>,
): boolean {
  return (
    obs.some((o) => CAMERA_FIELD.test(o.field)) ||
    [...openPorts].some((p) => CAMERA_PORTS.has(p)) ||
    ids.some(
      (i) =>
        i.deviceType === 'camera' || i.deviceType === 'recorder' || i.deviceType === 'camera-or-recorder',
    )
  );
}

/** A brand whose maker is known from vendors.yaml names the maker when the firmware did not. */
function makerFromBrand(
  brand: Scored,
  vendors: VendorRegistry,
  camera: boolean,
  notes: string[],
): Scored | undefined {
  if (brand.certainty < NAME_THRESHOLD) return undefined;
  if (vendors.get(brand.value)?.diversified === true && !camera) {
    notes.push(
      `${vendors.name(brand.value)} also sells devices it makes itself; nothing here says camera, so no maker is inferred`,
    );
    return undefined;
  }
  let cur = brand.value;
  for (let i = 0; i < 4; i++) {
    const p = parentOf(vendors, cur);
    if (!p) break;
    cur = p.vendor;
  }
  if (cur !== brand.value) {
    notes.push(`maker inferred from the brand ${vendors.name(brand.value)} (vendors.yaml)`);
    return { value: cur, certainty: brand.certainty * INFERRED_FACTOR, fingerprints: brand.fingerprints };
  }
  return vendors.get(brand.value)?.kind === 'maker' ? brand : undefined;
}

function resolveOne(
  key: string,
  hosts: Set<string>,
  mac: string | undefined,
  obs: readonly Observation[],
  ids: readonly Identification[],
  vendors: VendorRegistry,
): Device {
  const openPorts = new Set(obs.filter((o) => o.field === 'tcp.open_port').map((o) => Number(o.value)));
  const choice = chooseMaker(ids, openPorts, vendors);
  const { conflicts, notes, honeypot } = choice;
  let maker = choice.maker;
  const brands = preferSpecific(score(ids, 'brand'), vendors);
  const brand = brands[0];
  if (brands.length > 1 && brand) {
    const rivals = brands.slice(1).filter((b) => !related(vendors, b.value, brand.value));
    if (rivals.length > 0) conflicts.push({ attribute: 'brand', values: [brand, ...rivals] });
  }
  if (!maker && !honeypot && conflicts.length === 0 && brand) {
    maker = makerFromBrand(brand, vendors, looksLikeCamera(obs, ids, openPorts), notes);
  }
  const pick = (attr: Attr): string | undefined => score(ids, attr)[0]?.value;
  const deviceType = honeypot ? undefined : pickDeviceType(ids);
  // Model and firmware are only worth naming when the device is identified at all.
  const identified = !honeypot && (maker !== undefined || brand !== undefined || deviceType !== undefined);
  const model = identified ? pick('model') : undefined;
  const firmware = identified ? pick('firmware') : undefined;
  const serial = pick('serial');
  const shownMac = mac ?? firstMac(obs);
  return {
    type: 'device',
    schemaVersion: SCHEMA_VERSION,
    id: key.startsWith('mac:') ? `mac-${key.slice(4).replaceAll(':', '')}` : `ip-${key.slice(3)}`,
    addresses: [...hosts].sort(compareAddresses),
    ports: [...openPorts].sort((a, b) => a - b),
    ...(shownMac ? { mac: shownMac } : {}),
    ...(maker ? { maker: maker.value } : {}),
    ...(brand && !honeypot && (maker || conflicts.length === 0) ? { brand: brand.value } : {}),
    ...(model ? { model } : {}),
    ...(firmware ? { firmware } : {}),
    ...(serial ? { serial } : {}),
    ...(deviceType ? { deviceType } : {}),
    certainty: maker ? Number(maker.certainty.toFixed(3)) : 0,
    identifications: [...ids],
    conflicts,
    notes,
  };
}

/**
 * The device type with the most weight, where a specific claim ("recorder": a DNVRS-Webs banner)
 * beats the vague "camera-or-recorder" of a signal both kinds send (any SADP reply).
 */
function pickDeviceType(ids: readonly Identification[]): DeviceType | undefined {
  const claims = ids.filter((i) => i.deviceType && i.certainty >= NAME_THRESHOLD);
  const ranked = [...(claims.length > 0 ? claims : ids.filter((i) => i.deviceType))].sort(
    (a, b) => b.certainty - a.certainty,
  );
  const specific = ranked.find((i) => i.deviceType !== 'camera-or-recorder');
  return (specific ?? ranked[0])?.deviceType;
}

/** Numeric order for IPv4, text order otherwise: 127.0.0.9 before 127.0.0.10. */
export function compareAddresses(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  if (pa.length === 4 && pb.length === 4) {
    for (let i = 0; i < 4; i++) {
      const d = Number(pa[i]) - Number(pb[i]);
      if (d !== 0) return d;
    }
    return 0;
  }
  return a.localeCompare(b);
}
