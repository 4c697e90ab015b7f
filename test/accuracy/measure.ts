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
import { loadLibrary } from '../../src/fingerprints/load.ts';
import { loadVendors, type VendorRegistry } from '../../src/fingerprints/vendors.ts';
import { observe } from '../../src/observations/observe.ts';
import { type Analysis, analyse, type Knowledge } from '../../src/pipeline/analyse.ts';
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

/**
 * Where a case's evidence was published, read from its `provenance`:
 * - `thread`: a GitHub issue, pull request or discussion (https://github.com/<owner>/<repo>/issues/<n>);
 * - `repo`: a file or folder of a repository (`<owner>/<repo> <path> @ <commit>` or a github.com blob/tree
 *   URL); `path` is empty when the provenance names the repository alone;
 * - `code-search`: a public code-search hit named by its index id ("code search id N", "index id N").
 */
export type Source =
  | { kind: 'thread'; repo: string; number: number }
  | { kind: 'repo'; repo: string; path: string }
  | { kind: 'code-search'; id: string };

const REPO = String.raw`[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*`;

export function sourcesOf(c: Case): Source[] {
  const out: Source[] = [];
  const p = c.provenance;
  for (const m of p.matchAll(
    /https?:\/\/github\.com\/([\w.-]+\/[\w.-]+)\/(?:issues|pull|discussions)\/(\d+)/g,
  ))
    out.push({ kind: 'thread', repo: (m[1] ?? '').toLowerCase(), number: Number(m[2]) });
  for (const m of p.matchAll(
    /https?:\/\/github\.com\/([\w.-]+\/[\w.-]+)(?:\/(?:blob|tree)\/[^/\s]+\/([^\s"'#?)]+))?/g,
  )) {
    if (
      /\/(?:issues|pull|discussions)\/\d/.test(
        m[0] + p.slice((m.index ?? 0) + m[0].length, (m.index ?? 0) + m[0].length + 20),
      )
    )
      continue;
    out.push({ kind: 'repo', repo: (m[1] ?? '').toLowerCase(), path: m[2] ?? '' });
  }
  // "<owner>/<repo> <path> @ <commit>" or "<owner>/<repo> <path> —" outside URLs.
  const bare = p.replace(/https?:\/\/\S+/g, ' ');
  for (const m of bare.matchAll(
    new RegExp(String.raw`(?<![\w./-])(${REPO}) ([\w.()/-]+?)(?= @ | — |$)`, 'g'),
  )) {
    if (!(m[2] ?? '').includes('/') && !(m[2] ?? '').includes('.')) continue;
    out.push({ kind: 'repo', repo: (m[1] ?? '').toLowerCase(), path: m[2] ?? '' });
  }
  for (const m of p.matchAll(/(?:code[- ]search|index) ids? (\d+(?:(?:, | and )\d+)*)/gi))
    for (const id of (m[1] ?? '').split(/, | and /)) out.push({ kind: 'code-search', id });
  return out;
}

/** The text of every fingerprint file (provenance, notes and header comments alike), one string per file. */
export function fingerprintTexts(dir = join(ROOT, 'fingerprints')): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.yaml'))
        out.push({ file: p.slice(ROOT.length + 1), text: readFileSync(p, 'utf8') });
    }
  };
  walk(dir);
  return out;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Does a fingerprint file cite this source? Threads by URL or by "<owner>/<repo> #n", "<owner>/<repo>
 * issue #n", "<repo> PR #n" and the like; code-search hits by id; repository files when the fingerprint
 * cites the repository without a path, or a path that contains the case's file (or lies inside it).
 */
export function citesSource(text: string, s: Source): boolean {
  if (s.kind === 'code-search') return new RegExp(String.raw`(?<!\d)${s.id}(?!\d)`).test(text);
  const [, name = ''] = s.repo.split('/');
  if (s.kind === 'thread') {
    const n = String.raw`#?\s*${s.number}(?!\d)`;
    const thread = String.raw`(?:\s*#|\s+(?:issues?|PR|pull(?:\s+request)?|discussions?)\s*#?|\/(?:issues|pull|discussions)\/)`;
    return (
      new RegExp(String.raw`${escapeRe(s.repo)}${thread}\s*${s.number}(?!\d)`, 'i').test(text) ||
      new RegExp(
        String.raw`(?<![\w-])${escapeRe(name)}\s+(?:issues?|PR|pull(?:\s+request)?|discussions?)\s*${n}`,
        'i',
      ).test(text)
    );
  }
  for (const m of text.matchAll(new RegExp(String.raw`(?<![\w.-])${escapeRe(s.repo)}(?![\w-])`, 'gi'))) {
    const after = text.slice((m.index ?? 0) + m[0].length, (m.index ?? 0) + m[0].length + 200);
    if (/^\s*(?:#|(?:issues?|PR|pull|discussions?)\s*#?\s*\d)/i.test(after)) continue; // a thread, not the repository
    const path = /^ ([\w.()-]+(?:\/[\w.()-]+)*\/?)/.exec(after)?.[1]?.replace(/\/$/, '');
    if (!path || (!path.includes('/') && !path.includes('.') && !/^README/i.test(path))) return true; // the whole repository
    if (s.path === '') return true;
    const a = s.path.toLowerCase();
    const b = path.toLowerCase();
    if (a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`)) return true;
  }
  return false;
}

/** For each case of the given half whose source a fingerprint file cites: the case, the source and the file. */
export function sourceConflicts(
  cases: readonly Case[],
  half: Half = 'held-out',
  texts = fingerprintTexts(),
): { id: string; source: string; file: string }[] {
  const out: { id: string; source: string; file: string }[] = [];
  const show = (s: Source): string =>
    s.kind === 'thread'
      ? `${s.repo}#${s.number}`
      : s.kind === 'repo'
        ? `${s.repo} ${s.path}`.trim()
        : `index id ${s.id}`;
  for (const c of cases) {
    if (halfOf(c.id) !== half) continue;
    for (const s of sourcesOf(c))
      for (const t of texts)
        if (citesSource(t.text, s)) out.push({ id: c.id, source: show(s), file: t.file });
  }
  return out;
}
