import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CamsweepError } from '../core/errors.ts';
import { FINGERPRINTS_DIR } from '../core/paths.ts';
import { readYamlFile, validateYaml } from '../core/yaml-file.ts';
import { isField } from '../observations/fields.ts';
import type { ClaimTemplate, Fingerprint, FingerprintExample, FingerprintFile } from './schema.ts';
import type { StatedField } from './stated.ts';

const fileSchema = JSON.parse(
  readFileSync(join(FINGERPRINTS_DIR, 'schema', 'fingerprint-file.schema.json'), 'utf8'),
) as object;

/** Folders under fingerprints/ that hold other kinds of data. */
const NOT_FINGERPRINTS = new Set(['policies', 'schema']);

export function fingerprintFilePaths(dir = FINGERPRINTS_DIR): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && !NOT_FINGERPRINTS.has(entry.name)) {
      for (const f of readdirSync(join(dir, entry.name)).sort()) {
        if (f.endsWith('.yaml') || f.endsWith('.yml')) out.push(join(dir, entry.name, f));
      }
    }
  }
  return out.sort();
}

interface RawFile {
  field: string;
  alsoFields?: string[];
  fingerprints: {
    id: string;
    pattern: string;
    flags?: string;
    set: ClaimTemplate;
    certainty: number;
    examples: FingerprintExample[];
    counterexamples?: string[];
    provenance: string;
    note?: string;
  }[];
}

/** Loads one file: schema, registered field, compilable patterns. Throws `file:line: …`. */
export function loadFingerprintFile(path: string, root = FINGERPRINTS_DIR): FingerprintFile {
  const shown = relative(root, path) ? join('fingerprints', relative(root, path)) : path;
  const file = readYamlFile(path, 'FINGERPRINT', shown);
  const yaml = file;
  validateYaml(file, fileSchema, 'FINGERPRINT');
  const raw = yaml.data as RawFile;
  if (!isField(raw.field)) {
    throw new CamsweepError(
      'FINGERPRINT',
      `${shown}:${file.lineOf(['field'])}: unknown field "${raw.field}"`,
    );
  }
  const field = raw.field;
  const alsoFields = (raw.alsoFields ?? []).map((f, index) => {
    if (!isField(f)) {
      throw new CamsweepError(
        'FINGERPRINT',
        `${shown}:${file.lineOf(['alsoFields', index])}: unknown field "${f}"`,
      );
    }
    return f;
  });
  const fingerprints = raw.fingerprints.map((fp, index): Fingerprint => {
    const line = file.lineOf(['fingerprints', index]);
    let regex: RegExp;
    try {
      regex = new RegExp(fp.pattern, fp.flags ?? '');
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new CamsweepError(
        'FINGERPRINT',
        `${shown}:${file.lineOf(['fingerprints', index, 'pattern'])}: ${msg}`,
      );
    }
    return {
      id: fp.id,
      field,
      pattern: fp.pattern,
      ...(fp.flags ? { flags: fp.flags } : {}),
      regex,
      set: fp.set,
      certainty: fp.certainty,
      examples: fp.examples,
      counterexamples: fp.counterexamples ?? [],
      provenance: fp.provenance,
      ...(fp.note ? { note: fp.note } : {}),
      file: shown,
      line,
    };
  });
  return { file: shown, field, alsoFields, fingerprints };
}

export interface FingerprintLibrary {
  files: FingerprintFile[];
  byField: Map<string, Fingerprint[]>;
  size: number;
  /** Fields in which devices state their maker, resolved through vendors.yaml (stated-fields.yaml). */
  stated: StatedField[];
}

const statedSchema = JSON.parse(
  readFileSync(join(FINGERPRINTS_DIR, 'schema', 'stated-fields.schema.json'), 'utf8'),
) as object;

/** fingerprints/stated-fields.yaml, schema-checked; a field must be registered. */
export function loadStatedFields(dir = FINGERPRINTS_DIR): StatedField[] {
  const path = join(dir, 'stated-fields.yaml');
  if (!existsSync(path)) return [];
  const file = readYamlFile(path, 'FINGERPRINT', 'fingerprints/stated-fields.yaml');
  validateYaml(file, statedSchema, 'FINGERPRINT');
  const fields = (file.data as { fields: StatedField[] }).fields;
  fields.forEach((f, index) => {
    if (!isField(f.field)) {
      const line = file.lineOf(['fields', index, 'field']);
      throw new CamsweepError(
        'FINGERPRINT',
        `fingerprints/stated-fields.yaml:${line}: unknown field "${f.field}"`,
      );
    }
  });
  return fields;
}

export function buildLibrary(files: FingerprintFile[], stated: StatedField[] = []): FingerprintLibrary {
  const byField = new Map<string, Fingerprint[]>();
  let size = 0;
  const add = (field: string, fps: readonly Fingerprint[]) => {
    const list = byField.get(field) ?? [];
    for (const fp of fps) list.push(fp);
    byField.set(field, list);
  };
  for (const f of files) {
    add(f.field, f.fingerprints);
    size += f.fingerprints.length;
  }
  // Borrowed patterns come after a field's own files: its own word first.
  for (const f of files) for (const also of f.alsoFields) add(also, f.fingerprints);
  return { files, byField, size, stated };
}

let cached: FingerprintLibrary | undefined;

/** The built-in library; throws the first broken file as a user-facing error. */
export function loadLibrary(dir = FINGERPRINTS_DIR): FingerprintLibrary {
  if (dir === FINGERPRINTS_DIR && cached) return cached;
  const lib = buildLibrary(
    fingerprintFilePaths(dir).map((p) => loadFingerprintFile(p, dir)),
    loadStatedFields(dir),
  );
  if (dir === FINGERPRINTS_DIR) cached = lib;
  return lib;
}
