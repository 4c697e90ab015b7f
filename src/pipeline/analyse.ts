import type { Device } from '../core/device.ts';
import type { Exchange } from '../core/exchange.ts';
import type { Finding } from '../core/finding.ts';
import type { Identification } from '../core/identification.ts';
import type { Observation } from '../core/observation.ts';
import { identify } from '../fingerprints/identify.ts';
import type { FingerprintLibrary } from '../fingerprints/load.ts';
import { resolveDevices, usedByResolution } from '../fingerprints/resolve.ts';
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

/** Pure: one evidence line → its observations (an exchange parsed, an observation as given). */
export function observationsOf(line: Exchange | Observation): Observation[] {
  return line.type === 'exchange' ? observe(line) : [line];
}

/** Identifications of some observations: fingerprints first, then the makers they state outright. */
function identifyAll(observations: readonly Observation[], k: Knowledge): Identification[] {
  const fingerprinted = identify(observations, k.library);
  const stated = identifyStated(observations, k.library.stated, k.vendors, fingerprinted);
  return stated.length === 0 ? fingerprinted : [...fingerprinted, ...stated];
}

/**
 * Evidence in, one line at a time; devices and findings out at the end. Each line is parsed and
 * identified as it arrives, and only what resolution needs is kept (or every observation, for
 * callers that show them), so `identify --from` of a large recording holds its facts, not its bytes.
 */
export class Analyser {
  readonly #k: Knowledge;
  readonly #keepAll: boolean;
  readonly #kept: Observation[] = [];
  readonly #ids: Identification[] = [];
  readonly #macs = new Map<string, Set<string>>();

  constructor(k: Knowledge, opts: { keepAllObservations?: boolean } = {}) {
    this.#k = k;
    this.#keepAll = opts.keepAllObservations ?? false;
  }

  add(line: Exchange | Observation): void {
    const observations = observationsOf(line);
    for (const id of identifyAll(observations, this.#k)) this.#ids.push(id);
    for (const o of observations) {
      if (this.#keepAll || usedByResolution(o.field)) this.#kept.push(o);
      if (o.field === 'mac.address') {
        const set = this.#macs.get(o.host) ?? new Set<string>();
        set.add(o.value);
        this.#macs.set(o.host, set);
      }
    }
  }

  finish(): Analysis {
    // The registrant of every MAC seen, as its own observation (the NIC maker, weaker than
    // firmware), once per host and registrant.
    const ouis: Observation[] = [];
    const seen = new Set(
      this.#kept.filter((o) => o.field === 'mac.oui.org').map((o) => `${o.host}\n${o.value}`),
    );
    for (const [host, macs] of this.#macs) {
      for (const mac of macs) {
        const org = this.#k.vendors.ouiOrganisation(mac);
        if (!org || seen.has(`${host}\n${org}`)) continue;
        seen.add(`${host}\n${org}`);
        ouis.push({ type: 'observation', host, field: 'mac.oui.org', value: org });
      }
    }
    for (const id of identifyAll(ouis, this.#k)) this.#ids.push(id);
    const observations = this.#keepAll ? [...this.#kept, ...ouis] : this.#kept;
    const devices = resolveDevices(observations, this.#ids, this.#k.vendors);
    const findings = this.#k.policies.flatMap((p) => evaluate(devices, p, this.#k.vendors));
    return { observations, devices, findings };
  }
}

/** Pure: raw evidence in, devices, findings and every observation out. A live sweep shares it. */
export function analyse(evidence: readonly (Exchange | Observation)[], k: Knowledge): Analysis {
  const a = new Analyser(k, { keepAllObservations: true });
  for (const line of evidence) a.add(line);
  return a.finish();
}
