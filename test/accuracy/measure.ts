/**
 * The accuracy set (test/accuracy/cases.yaml) and how it is scored. Shared by `npm run accuracy`
 * (run.ts) and the vitest floor (accuracy.test.ts). Format and rules: test/accuracy/README.md.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { type Exchange, responseBytes } from '../../src/core/exchange.ts';
import type { Observation } from '../../src/core/observation.ts';
import { type Analysis, analyse, type Knowledge } from '../../src/pipeline/analyse.ts';
import { loadLibrary } from '../../src/fingerprints/load.ts';
import { loadVendors, type VendorRegistry } from '../../src/fingerprints/vendors.ts';
import { observe } from '../../src/observations/observe.ts';
import { DEFAULT_POLICY, loadPolicy } from '../../src/policy/load.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
export const CASES_FILE = join(HERE, 'cases.yaml');

/** The makers named by the policies this set measures against; the brief's definition of "restricted". */
export const LISTED_MAKERS = ['hikvision', 'dahua', 'huawei', 'zte', 'hytera'] as const;
export const KINDS = ['camera', 'recorder', 'router', 'printer', 'nas', 'other'] as const;
export type Kind = (typeof KINDS)[number];

export interface Label {
  /** vendors.yaml id of the company that really built it; absent = no camera maker expected. */
  maker?: string;
  brand?: string;
  /** One model name, or the accepted spellings of it. */
  model?: string | string[];
  restricted: boolean;
  kind: Kind;
}

export interface Case {
  id: string;
  label: Label;
  provenance: string;
  /** Set when a published value was moved into the camsweep field that carries the same string. */
  mapping?: string;
  note?: string;
  evidence: (Observation | Exchange)[];
}

export function loadCases(file = CASES_FILE): Case[] {
  const doc = parse(readFileSync(file, 'utf8')) as { cases?: Case[] };
  if (!doc || !Array.isArray(doc.cases)) throw new Error(`${file}: no "cases:" list`);
  return doc.cases.map((c) => ({
    ...c,
    // YAML reads bare values such as 8000 as numbers; observation values are strings.
    evidence: c.evidence.map((e) =>
      e.type === 'observation' ? { ...e, value: String(e.value), host: String(e.host) } : e,
    ),
  }));
}

export const HALVES = ['development', 'held-out'] as const;
export type Half = (typeof HALVES)[number];

/**
 * The deterministic split: the first byte of sha256(case id, UTF-8) even → development, odd →
 * held-out. A case never changes half unless its id changes.
 */
export function halfOf(id: string): Half {
  const first = createHash('sha256').update(id, 'utf8').digest()[0] ?? 0;
  return first % 2 === 0 ? 'development' : 'held-out';
}

/** The protocols a case's evidence speaks: an exchange's protocol, or an observation field's prefix. */
export function protocolsOf(c: Case): string[] {
  const out = new Set<string>();
  for (const e of c.evidence) {
    if (e.type === 'exchange') out.add(e.protocol);
    else {
      const prefix = e.field.split('.')[0] ?? e.field;
      out.add(prefix === 'dahua_legacy' ? 'dahua-legacy' : prefix);
    }
  }
  return [...out].sort();
}

/** Everything the evidence says, as text: observation values and decoded exchange responses. */
function evidenceText(c: Case): string {
  return c.evidence
    .map((e) => (e.type === 'observation' ? e.value : responseBytes(e).toString('latin1')))
    .join('\n');
}

/** True when the labelled model (any accepted spelling) appears in the evidence itself. */
export function evidenceCarriesModel(c: Case): boolean {
  const models = c.label.model === undefined ? [] : [c.label.model].flat();
  const text = norm(evidenceText(c));
  return models.some((m) => norm(m).length > 0 && text.includes(norm(m)));
}

/**
 * Every `examples:` value of every fingerprint file (the values this set must not reuse), with the
 * fields it was given for (the file's `field:`; '*' when a file names none).
 */
export function fingerprintExamples(dir = join(ROOT, 'fingerprints')): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (value: string, field: string): void => {
    out.set(value, (out.get(value) ?? new Set<string>()).add(field));
  };
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.yaml')) {
        const doc = parse(readFileSync(p, 'utf8')) as {
          field?: string;
          fingerprints?: { examples?: unknown[] }[];
        } | null;
        const field = typeof doc?.field === 'string' ? doc.field : '*';
        for (const fp of doc?.fingerprints ?? []) {
          for (const ex of fp.examples ?? []) {
            if (typeof ex === 'string') add(ex, field);
            else if (ex && typeof ex === 'object' && 'value' in ex)
              add(String((ex as { value: unknown }).value), field);
          }
        }
      }
    }
  };
  walk(dir);
  return out;
}

/**
 * The evidence values of a case that equal a fingerprint example: an observation value given as an
 * example for the same field (or for a file without one), or a whole exchange response equal to any
 * example. Empty when the case is independent of the samples the library was written from.
 */
export function exampleOverlaps(c: Case, examples: Map<string, Set<string>>): string[] {
  const out: string[] = [];
  for (const e of c.evidence) {
    const value = e.type === 'observation' ? e.value : e.response;
    const fields = examples.get(value);
    if (!fields) continue;
    if (e.type === 'exchange' || fields.has('*') || fields.has(e.field)) out.push(value);
  }
  return out;
}

/** Observations parsed from a case's exchanges whose value is a fingerprint example of the same field. */
export function parsedExampleOverlaps(c: Case, examples: Map<string, Set<string>>): string[] {
  const out: string[] = [];
  for (const e of c.evidence) {
    if (e.type !== 'exchange') continue;
    for (const o of observe(e)) if (examples.get(o.value)?.has(o.field)) out.push(`${o.field}=${o.value}`);
  }
  return out;
}

/** Does this maker or brand lead, through vendors.yaml relations of any confidence, to a listed maker? */
export function leadsToListed(
  vendors: VendorRegistry,
  id: string | undefined,
  seen = new Set<string>(),
): boolean {
  if (!id || seen.has(id)) return false;
  if ((LISTED_MAKERS as readonly string[]).includes(id)) return true;
  seen.add(id);
  return (vendors.get(id)?.relations ?? []).some((r) => leadsToListed(vendors, r.of, seen));
}

export function labelRestricted(vendors: VendorRegistry, label: Label): boolean {
  return leadsToListed(vendors, label.maker) || leadsToListed(vendors, label.brand);
}

export interface Outcome {
  c: Case;
  half: Half;
  protocols: string[];
  said: { maker?: string; brand?: string; model?: string; restricted: boolean; severity?: string };
  makerRight: boolean;
  modelRight?: boolean;
  restrictedRight: boolean;
}

export interface Figures {
  cases: number;
  byKind: Record<string, number>;
  mapped: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  makerRight: number;
  makerAccuracy: number;
  /** Cases whose label has a model that their evidence carries (the model-accuracy denominator). */
  modelCases: number;
  modelRight: number;
  modelAccuracy: number;
  /** Cases with a labelled model that their evidence does not carry (not scored for model). */
  modelNotCarried: number;
  negatives: number;
  outcomes: Outcome[];
}

const norm = (s: string): string => s.toUpperCase().replace(/\s+/g, '');

export function defaultKnowledge(): Knowledge {
  const vendors = loadVendors();
  return { library: loadLibrary(), vendors, policies: [loadPolicy(DEFAULT_POLICY, vendors)] };
}

function judge(c: Case, a: Analysis): Outcome {
  // One device per case is expected; if the evidence split, take the device with the surest maker.
  const device = [...a.devices].sort((x, y) => y.certainty - x.certainty)[0];
  const restrictedFinding = a.findings.find((f) => f.severity === 'restricted');
  const said = {
    ...(device?.maker ? { maker: device.maker } : {}),
    ...(device?.brand ? { brand: device.brand } : {}),
    ...(device?.model ? { model: device.model } : {}),
    restricted: restrictedFinding !== undefined,
    ...(a.findings[0] ? { severity: a.findings[0].severity } : {}),
  };
  const makerRight = c.label.maker === undefined ? said.maker === undefined : said.maker === c.label.maker;
  // Model is scored only where the evidence carries the labelled model: no reader can name a model
  // it was never shown.
  const models = c.label.model === undefined || !evidenceCarriesModel(c) ? [] : [c.label.model].flat();
  const modelRight =
    models.length === 0
      ? undefined
      : said.model !== undefined && models.some((m) => norm(m) === norm(said.model ?? ''));
  return {
    c,
    half: halfOf(c.id),
    protocols: protocolsOf(c),
    said,
    makerRight,
    ...(modelRight === undefined ? {} : { modelRight }),
    restrictedRight: said.restricted === c.label.restricted,
  };
}

export function measure(cases: readonly Case[], k: Knowledge = defaultKnowledge()): Figures {
  return figures(cases.map((c) => judge(c, analyse(c.evidence, k))));
}

/** The figures of a set of outcomes (the whole set, one half, one protocol or one maker). */
export function figures(outcomes: readonly Outcome[]): Figures {
  const cases = outcomes.map((o) => o.c);
  const count = (p: (o: Outcome) => boolean): number => outcomes.filter(p).length;
  const tp = count((o) => o.c.label.restricted && o.said.restricted);
  const fp = count((o) => !o.c.label.restricted && o.said.restricted);
  const fn = count((o) => o.c.label.restricted && !o.said.restricted);
  const tn = count((o) => !o.c.label.restricted && !o.said.restricted);
  const withModel = outcomes.filter((o) => o.modelRight !== undefined);
  const byKind: Record<string, number> = {};
  for (const c of cases) byKind[c.label.kind] = (byKind[c.label.kind] ?? 0) + 1;
  const makerRight = count((o) => o.makerRight);
  const modelRight = withModel.filter((o) => o.modelRight).length;
  return {
    cases: cases.length,
    byKind,
    mapped: cases.filter((c) => c.mapping).length,
    tp,
    fp,
    fn,
    tn,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    makerRight,
    makerAccuracy: cases.length === 0 ? 0 : makerRight / cases.length,
    modelCases: withModel.length,
    modelRight,
    modelAccuracy: withModel.length === 0 ? 0 : modelRight / withModel.length,
    modelNotCarried: cases.filter((c) => c.label.model !== undefined && !evidenceCarriesModel(c)).length,
    negatives: fp + tn,
    outcomes: [...outcomes],
  };
}
