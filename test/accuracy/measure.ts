/**
 * The accuracy set (test/accuracy/cases.yaml) and how it is scored. Shared by `npm run accuracy`
 * (run.ts) and the vitest floor (accuracy.test.ts). Format and rules: test/accuracy/README.md.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { Exchange } from '../../src/core/exchange.ts';
import type { Observation } from '../../src/core/observation.ts';
import { type Analysis, analyse, type Knowledge } from '../../src/pipeline/analyse.ts';
import { loadLibrary } from '../../src/fingerprints/load.ts';
import { loadVendors, type VendorRegistry } from '../../src/fingerprints/vendors.ts';
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

/** Every `examples:` value of every fingerprint file (the values this set must not reuse). */
export function fingerprintExamples(dir = join(ROOT, 'fingerprints')): Set<string> {
  const out = new Set<string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.yaml')) {
        const doc = parse(readFileSync(p, 'utf8')) as { fingerprints?: { examples?: unknown[] }[] } | null;
        for (const fp of doc?.fingerprints ?? []) {
          for (const ex of fp.examples ?? []) {
            if (typeof ex === 'string') out.add(ex);
            else if (ex && typeof ex === 'object' && 'value' in ex)
              out.add(String((ex as { value: unknown }).value));
          }
        }
      }
    }
  };
  walk(dir);
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
  modelCases: number;
  modelRight: number;
  modelAccuracy: number;
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
  const models = c.label.model === undefined ? [] : [c.label.model].flat();
  const modelRight =
    models.length === 0
      ? undefined
      : said.model !== undefined && models.some((m) => norm(m) === norm(said.model ?? ''));
  return {
    c,
    said,
    makerRight,
    ...(modelRight === undefined ? {} : { modelRight }),
    restrictedRight: said.restricted === c.label.restricted,
  };
}

export function measure(cases: readonly Case[], k: Knowledge = defaultKnowledge()): Figures {
  const outcomes = cases.map((c) => judge(c, analyse(c.evidence, k)));
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
    outcomes,
  };
}
