import type { Identification, IdentityClaims } from '../core/identification.ts';
import type { Observation } from '../core/observation.ts';
import { identificationOf } from './identify.ts';
import { makerWordsOf, modelIn } from './model-token.ts';
import {
  oneVendor,
  type VendorIndex,
  vendorOfEnterpriseOid,
  vendorsInDomains,
  vendorsInText,
  vendorsNamedBy,
} from './vendor-index.ts';
import type { VendorRegistry } from './vendors.ts';

/**
 * How a field states its maker (fingerprints/stated-fields.yaml):
 * - name: the whole value is a vendor's name (else a name found inside it);
 * - text: free text that may carry a name or a domain (banners, sysDescr, copyright lines);
 * - url: a URL or namespace whose host is one of the vendor's domains;
 * - dn: a certificate DN: O and OU name the vendor, CN is read as text;
 * - enterprise: an SNMP sysObjectID under the vendor's IANA enterprise number;
 * - keyvalue: "key=value" (mDNS TXT): the listed keys name the vendor.
 */
export type StatedRead = 'name' | 'text' | 'url' | 'dn' | 'enterprise' | 'keyvalue';

export interface StatedField {
  field: string;
  /** How the field names a vendor; absent when the field `states` an attribute instead. */
  read?: StatedRead;
  /** The value itself is the device's model, firmware or serial, as a device-information document says. */
  states?: 'model' | 'firmware' | 'serial';
  certainty: number;
  /** keyvalue only: the keys whose value is a vendor name. */
  keys?: readonly string[];
  /** Also take a weak model claim from the text when it names a maker (banners, sysDescr, titles). */
  model?: boolean;
  note?: string;
}

/** The id a stated-name identification carries in the evidence trail. */
export function statedId(field: string, how: Pick<StatedField, 'states'>): string {
  return how.states ? `stated-${how.states}:${field}` : `stated:${field}`;
}

function dnParts(dn: string): { names: string[]; text: string[] } {
  const names: string[] = [];
  const text: string[] = [];
  // RFC 2253-style "CN=…,O=…"; an escaped comma (\,) stays inside its value.
  for (const part of dn.split(/(?<!\\),\s*|\/(?=[A-Za-z]+=)/)) {
    const m = /^\s*([A-Za-z.0-9]+)\s*=\s*(.*)$/.exec(part);
    if (!m?.[1] || m[2] === undefined) continue;
    const key = m[1].toUpperCase();
    const value = m[2].replaceAll('\\,', ',').trim();
    if (key === 'O' || key === 'OU') names.push(value);
    else if (key === 'CN' || key === 'EMAILADDRESS' || key === 'E') text.push(value);
  }
  return { names, text };
}

/** The vendors one value states, read the way its field says. */
export function vendorsStated(
  index: VendorIndex,
  read: StatedRead,
  value: string,
  keys?: readonly string[],
): string[] {
  switch (read) {
    case 'name': {
      const whole = vendorsNamedBy(index, value);
      return whole.length > 0 ? whole : vendorsInText(index, value);
    }
    case 'text':
      return vendorsInText(index, value);
    case 'url':
      return vendorsInDomains(index, value);
    case 'enterprise': {
      const id = vendorOfEnterpriseOid(index, value);
      return id ? [id] : [];
    }
    case 'dn': {
      const { names, text } = dnParts(value);
      return [
        ...names.flatMap((n) => vendorsStated(index, 'name', n)),
        ...text.flatMap((t) => vendorsInText(index, t)),
      ];
    }
    case 'keyvalue': {
      const eq = value.indexOf('=');
      if (eq <= 0) return [];
      const key = value.slice(0, eq).trim().toLowerCase();
      return keys?.includes(key) ? vendorsStated(index, 'name', value.slice(eq + 1)) : [];
    }
  }
}

/** A maker states itself as maker; a brand or an OEM buyer as the brand it is (its maker follows from vendors.yaml). */
function claimsFor(reg: VendorRegistry, id: string): IdentityClaims {
  return reg.get(id)?.kind === 'maker' || reg.get(id)?.kind === undefined ? { maker: id } : { brand: id };
}

/** A model read out of free text is a guess next to any pattern's: it only fills a gap. */
const MODEL_IN_TEXT_CERTAINTY = 0.3;

function modelOf(reg: VendorRegistry, id: string, text: string): string | undefined {
  const v = reg.get(id);
  return v ? modelIn(text, makerWordsOf([v.name, v.id, ...v.aliases])) : undefined;
}

function vendorOf(reg: VendorRegistry, how: StatedField, value: string): string | undefined {
  return how.read ? oneVendor(reg, vendorsStated(reg.index, how.read, value, how.keys)) : undefined;
}

function observationKey(o: { host: string; port?: number; field: string; value: string }): string {
  return `${o.host}\n${o.port ?? ''}\n${o.field}\n${o.value}`;
}

/**
 * Pure: the makers and brands devices state outright, resolved through the vendor registry, as
 * identifications. An observation a fingerprint already read for a maker or brand is skipped: one
 * fact is one piece of evidence, not two.
 */
export function identifyStated(
  observations: readonly Observation[],
  fields: readonly StatedField[],
  reg: VendorRegistry,
  already: readonly Identification[],
): Identification[] {
  const byField = new Map<string, StatedField[]>();
  for (const f of fields) byField.set(f.field, [...(byField.get(f.field) ?? []), f]);
  // What patterns already said of each observation: its maker (or brand), and whether a model.
  const named = new Map<string, string>();
  const modelled = new Set<string>();
  for (const i of already) {
    const key = observationKey(i);
    const who = i.maker ?? i.brand;
    if (who && !named.has(key)) named.set(key, who);
    if (i.model) modelled.add(key);
  }
  const out: Identification[] = [];
  for (const obs of observations) {
    const key = observationKey(obs);
    for (const how of byField.get(obs.field) ?? []) {
      if (how.states) {
        out.push(
          identificationOf(obs, { [how.states]: obs.value.trim() }, statedId(obs.field, how), how.certainty),
        );
        continue;
      }
      const patterned = named.get(key);
      const id = patterned ? undefined : vendorOf(reg, how, obs.value);
      if (id) out.push(identificationOf(obs, claimsFor(reg, id), statedId(obs.field, how), how.certainty));
      const who = patterned ?? id;
      const model = how.model && who && !modelled.has(key) ? modelOf(reg, who, obs.value) : undefined;
      if (model)
        out.push(identificationOf(obs, { model }, `stated-model:${obs.field}`, MODEL_IN_TEXT_CERTAINTY));
    }
  }
  return out;
}
