import type { Device } from '../core/device.ts';
import type { Exchange } from '../core/exchange.ts';
import type { Finding } from '../core/finding.ts';
import type { Observation } from '../core/observation.ts';
import { identify } from '../fingerprints/identify.ts';
import type { FingerprintLibrary } from '../fingerprints/load.ts';
import { resolveDevices } from '../fingerprints/resolve.ts';
import { identifyStated } from '../fingerprints/stated.ts';
import type { VendorRegistry } from '../fingerprints/vendors.ts';
import { observe } from '../observations/observe.ts';
import { evaluate } from '../policy/evaluate.ts';
import type { Policy } from '../policy/schema.ts';

export interface Knowledge {
  library: FingerprintLibrary;
  vendors: VendorRegistry;
  policies: Policy[];
}

export interface Analysis {
  observations: Observation[];
  devices: Device[];
  findings: Finding[];
}

/** Pure: raw evidence in, devices and findings out. A live sweep and `identify --from` share it. */
export function analyse(evidence: readonly (Exchange | Observation)[], k: Knowledge): Analysis {
  const observations: Observation[] = [];
  for (const line of evidence) {
    if (line.type === 'exchange') observations.push(...observe(line));
    else observations.push(line);
  }
  // The registrant of every MAC seen, as its own observation (the NIC maker, weaker than firmware).
  // Indexed by host and registrant: one pass, however many MACs a large file carries.
  const seen = new Set<string>();
  for (const o of observations) if (o.field === 'mac.oui.org') seen.add(`${o.host}\n${o.value}`);
  const macs = observations.filter((x) => x.field === 'mac.address');
  for (const o of macs) {
    const org = k.vendors.ouiOrganisation(o.value);
    if (org && !seen.has(`${o.host}\n${org}`)) {
      seen.add(`${o.host}\n${org}`);
      observations.push({ type: 'observation', host: o.host, field: 'mac.oui.org', value: org });
    }
  }
  const fingerprinted = identify(observations, k.library);
  const ids = [...fingerprinted, ...identifyStated(observations, k.library.stated, k.vendors, fingerprinted)];
  const devices = resolveDevices(observations, ids, k.vendors);
  const findings = k.policies.flatMap((p) => evaluate(devices, p, k.vendors));
  return { observations, devices, findings };
}
