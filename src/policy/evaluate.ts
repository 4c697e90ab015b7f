import type { Device } from '../core/device.ts';
import type { Confidence, Evidence, Finding } from '../core/finding.ts';
import type { Identification } from '../core/identification.ts';
import { SCHEMA_VERSION } from '../core/schema-version.ts';
import { parentOf } from '../fingerprints/relations.ts';
import type { RelationType, VendorRegistry } from '../fingerprints/vendors.ts';
import type { Policy, PolicyRule } from './schema.ts';

/** One certainty at or above this confirms on its own (issue #5: "one high-certainty fingerprint"). */
const HIGH_CERTAINTY = 0.9;

interface Link {
  from: string;
  to: string;
  type: RelationType;
}

/** Walks maker → parent → … and returns the links until a listed maker is reached. */
function pathToListed(vendors: VendorRegistry, start: string, rule: PolicyRule): Link[] | undefined {
  const links: Link[] = [];
  let cur = start;
  for (let depth = 0; depth < 8; depth++) {
    if (rule.makers.includes(cur)) return links;
    const p = parentOf(vendors, cur);
    if (!p) return undefined;
    if (p.relation.type === 'subsidiaryOf' && !rule.includeSubsidiaries) return undefined;
    if (p.relation.type === 'oemOf' && !rule.includeOem) return undefined;
    links.push({ from: cur, to: p.vendor, type: p.relation.type });
    cur = p.vendor;
  }
  return undefined;
}

function describeLineage(vendors: VendorRegistry, device: Device, links: Link[]): string {
  const name = (id: string) => vendors.name(id);
  const maker = device.maker ?? '';
  const parts: string[] = [];
  if (device.brand && device.brand !== maker) parts.push(`${name(device.brand)} (made by ${name(maker)})`);
  else parts.push(name(maker));
  for (const l of links) {
    parts.push(l.type === 'subsidiaryOf' ? `subsidiary of ${name(l.to)}` : `OEM of ${name(l.to)}`);
  }
  return parts.join(', ');
}

function evidenceFor(device: Device, vendors: VendorRegistry): Identification[] {
  const maker = device.maker;
  if (!maker) return [];
  // Evidence for the verdict: claims of this maker, plus brand claims that led to it.
  return device.identifications.filter(
    (i) =>
      i.maker === maker ||
      (i.brand !== undefined && (i.brand === device.brand || parentOf(vendors, i.brand)?.vendor === maker)),
  );
}

function says(i: Identification): string {
  const parts: string[] = [];
  for (const k of ['maker', 'brand', 'model', 'firmware', 'deviceType'] as const) {
    const v = i[k];
    if (v) parts.push(`${k}=${v}`);
  }
  return parts.join(' ');
}

/** Independent kinds of evidence are different protocols (http vs wsd vs onvif …). */
function confidenceOf(device: Device, evidence: Identification[]): Confidence {
  const makerClaims = evidence.filter((i) => i.maker === device.maker);
  const kinds = new Set(makerClaims.map((i) => i.field.split('.')[0]));
  const inferred = makerClaims.length === 0;
  if (!inferred && (kinds.size >= 2 || makerClaims.some((i) => i.certainty >= HIGH_CERTAINTY)))
    return 'confirmed';
  if (device.certainty >= 0.6) return 'probable';
  return 'possible';
}

/** Pure: devices + policy in, findings out (one per device per matching rule). */
export function evaluate(devices: readonly Device[], policy: Policy, vendors: VendorRegistry): Finding[] {
  const findings: Finding[] = [];
  for (const device of devices) {
    if (!device.maker) continue;
    for (const rule of policy.rules) {
      // A rule about visual surveillance equipment does not reach the same maker's router.
      if (rule.deviceTypes && device.deviceType && !rule.deviceTypes.includes(device.deviceType)) continue;
      const links = pathToListed(vendors, device.maker, rule);
      if (!links) continue;
      const ev = evidenceFor(device, vendors);
      const evidence: Evidence[] = ev.map((i) => ({
        field: i.field,
        value: i.value,
        host: i.host,
        ...(i.port !== undefined ? { port: i.port } : {}),
        ...(i.probe !== undefined ? { probe: i.probe } : {}),
        fingerprint: i.fingerprint,
        says: says(i),
      }));
      findings.push({
        type: 'finding',
        schemaVersion: SCHEMA_VERSION,
        device: device.id,
        addresses: device.addresses,
        policy: policy.id,
        rule: rule.id,
        severity: rule.severity,
        confidence: confidenceOf(device, ev),
        maker: device.maker,
        ...(device.brand ? { brand: device.brand } : {}),
        ...(device.model ? { model: device.model } : {}),
        ...(device.firmware ? { firmware: device.firmware } : {}),
        ...(device.mac ? { mac: device.mac } : {}),
        ...(device.site ? { site: device.site } : {}),
        lineage: describeLineage(vendors, device, links),
        basis: rule.basis.trim(),
        action: rule.action.trim(),
        evidence,
      });
      break;
    }
  }
  return findings;
}
