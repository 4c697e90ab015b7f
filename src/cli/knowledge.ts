import { loadLibrary } from '../fingerprints/load.ts';
import { loadVendors } from '../fingerprints/vendors.ts';
import type { Knowledge } from '../pipeline/analyse.ts';
import { DEFAULT_POLICY, loadPolicy } from '../policy/load.ts';

/** The fingerprint library, vendors.yaml and the chosen policies (default uk-nil-2022). */
export function loadKnowledge(policies: readonly string[] | undefined): Knowledge {
  const vendors = loadVendors();
  const library = loadLibrary();
  const names = policies && policies.length > 0 ? policies : [DEFAULT_POLICY];
  return { library, vendors, policies: names.map((p) => loadPolicy(p, vendors)) };
}
