import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FINGERPRINTS_DIR, FIXTURES_DIR } from '../core/paths.ts';
import { readYamlFile } from '../core/yaml-file.ts';
import { isField } from '../observations/fields.ts';
import { matchValue } from './identify.ts';
import {
  buildLibrary,
  type FingerprintLibrary,
  fingerprintFilePaths,
  loadFingerprintFile,
  loadStatedFields,
} from './load.ts';
import { catastrophicBacktracking } from './redos.ts';
import type { Fingerprint } from './schema.ts';
import { loadVendors, type VendorRegistry } from './vendors.ts';

export interface NegativeBanner {
  field: string;
  value: string;
  what?: string;
  source?: string;
}

export interface VerifyResult {
  errors: string[];
  files: number;
  fingerprints: number;
  examples: number;
  negatives: number;
}

const CAMERA_TYPES = new Set(['camera', 'recorder', 'camera-or-recorder']);

/** fixtures/negatives/*.yaml: non-camera banners no fingerprint may attribute to a camera maker. */
export function loadNegatives(dir = join(FIXTURES_DIR, 'negatives')): {
  banners: NegativeBanner[];
  errors: string[];
} {
  const path = join(dir, 'banners.yaml');
  if (!existsSync(path)) return { banners: [], errors: [] };
  try {
    const data = readYamlFile(path, 'FINGERPRINT').data as
      | { banners?: NegativeBanner[]; vendorButNotCamera?: NegativeBanner[] }
      | NegativeBanner[];
    const banners = Array.isArray(data) ? data : [...(data.banners ?? [])];
    return { banners, errors: [] };
  } catch (err) {
    return { banners: [], errors: [err instanceof Error ? err.message : String(err)] };
  }
}

/** Runs a loader, turning its failure into one reported problem. */
function attempt<T>(errors: string[], load: () => T): T | undefined {
  try {
    return load();
  } catch (err) {
    errors.push(err instanceof Error ? err.message : String(err));
    return undefined;
  }
}

/** Every check of ARCHITECTURE §5; each problem as `file:line: message`. */
export function verifyLibrary(
  dir = FINGERPRINTS_DIR,
  negativesDir = join(FIXTURES_DIR, 'negatives'),
): VerifyResult {
  const errors: string[] = [];
  const vendors = attempt(errors, () => loadVendors(join(dir, 'vendors.yaml')));
  const files = fingerprintFilePaths(dir).flatMap(
    (path) => attempt(errors, () => loadFingerprintFile(path, dir)) ?? [],
  );
  const lib: FingerprintLibrary = buildLibrary(files, attempt(errors, () => loadStatedFields(dir)) ?? []);
  const ids = new Map<string, string>();
  let examples = 0;
  for (const file of files) {
    if (!isField(file.field)) errors.push(`${file.file}:1: unknown field "${file.field}"`);
    for (const fp of file.fingerprints) {
      const at = `${fp.file}:${fp.line}`;
      const prior = ids.get(fp.id);
      if (prior) errors.push(`${at}: duplicate id "${fp.id}" (first at ${prior})`);
      else ids.set(fp.id, at);
      errors.push(...patternProblems(fp, at), ...vendorProblems(fp, at, vendors));
      errors.push(...exampleProblems(fp, at, lib));
      examples += fp.examples.length;
    }
  }
  const negatives = loadNegatives(negativesDir);
  errors.push(...negatives.errors, ...negativeProblems(negatives.banners, lib));
  return {
    errors,
    files: files.length,
    fingerprints: lib.size,
    examples,
    negatives: negatives.banners.length,
  };
}

/** Anchoring, catastrophic backtracking, and named groups that match what `set` uses. */
function patternProblems(fp: Fingerprint, at: string): string[] {
  const errors: string[] = [];
  if (!fp.pattern.startsWith('^') || !fp.pattern.endsWith('$'))
    errors.push(`${at}: pattern must be anchored with ^ and $`);
  const redos = catastrophicBacktracking(fp.pattern);
  if (redos) errors.push(`${at}: pattern can backtrack catastrophically (${redos})`);
  const groups = new Set([...fp.pattern.matchAll(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g)].map((m) => m[1] ?? ''));
  const used = new Set(
    Object.values(fp.set).flatMap((v) =>
      [...String(v).matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1] ?? ''),
    ),
  );
  for (const g of groups) if (!used.has(g)) errors.push(`${at}: named group "${g}" is never used in set`);
  for (const u of used)
    if (!groups.has(u)) errors.push(`${at}: set uses {${u}} but the pattern has no such group`);
  return errors;
}

function vendorProblems(fp: Fingerprint, at: string, vendors: VendorRegistry | undefined): string[] {
  if (!vendors) return [];
  const errors: string[] = [];
  for (const key of ['maker', 'brand'] as const) {
    const v = fp.set[key];
    if (v && !v.includes('{') && !vendors.get(v)) errors.push(`${at}: ${key} "${v}" is not in vendors.yaml`);
  }
  return errors;
}

/** Each example is matched first by its own fingerprint, with exactly its values; no counterexample matches. */
function exampleProblems(fp: Fingerprint, at: string, lib: FingerprintLibrary): string[] {
  const errors: string[] = [];
  for (const ex of fp.examples) {
    const m = matchValue(lib.byField.get(fp.field) ?? [], ex.value);
    if (!m) {
      errors.push(`${at}: example "${ex.value}" matches no fingerprint`);
      continue;
    }
    if (m.fingerprint.id !== fp.id) {
      errors.push(
        `${at}: example "${ex.value}" is matched first by "${m.fingerprint.id}" (${m.fingerprint.file}:${m.fingerprint.line})`,
      );
      continue;
    }
    for (const [k, want] of Object.entries(ex.expect)) {
      const got = m.claims[k as keyof typeof m.claims];
      if (got !== want)
        errors.push(`${at}: example "${ex.value}" gives ${k}=${got ?? '(none)'}, expected ${want}`);
    }
  }
  for (const ce of fp.counterexamples) {
    if (fp.regex.test(ce.slice(0, 1024))) errors.push(`${at}: counterexample "${ce}" matches`);
  }
  return errors;
}

/** No non-camera banner of fixtures/negatives is attributed to a camera maker. */
function negativeProblems(banners: readonly NegativeBanner[], lib: FingerprintLibrary): string[] {
  const errors: string[] = [];
  for (const n of banners) {
    if (!isField(n.field)) {
      errors.push(`fixtures/negatives/banners.yaml: unknown field "${n.field}" for "${n.value}"`);
      continue;
    }
    const m = matchValue(lib.byField.get(n.field) ?? [], n.value);
    if (m?.claims.maker && (!m.claims.deviceType || CAMERA_TYPES.has(m.claims.deviceType))) {
      errors.push(
        `${m.fingerprint.file}:${m.fingerprint.line}: negative "${n.value}" (${n.what ?? n.field}) is attributed to ${m.claims.maker} by "${m.fingerprint.id}"`,
      );
    }
  }
  return errors;
}
