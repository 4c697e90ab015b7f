/**
 * `npm run accuracy`: runs every case of test/accuracy/cases.yaml through analyse() with the
 * built-in fingerprint library and the default policy, and prints, for the development and the
 * held-out half alike, the figures, a per-protocol and a per-maker table. Misses are listed for
 * the development half only: held-out cases stay unseen, so they keep measuring what the library
 * does on evidence nobody tuned it against.
 */
import { type Figures, figures, HALVES, loadCases, measure, type Outcome } from './measure.ts';

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const ratio = (right: number, of: number): string =>
  of === 0 ? '     -' : `${pct(right / of).padStart(6)} (${right}/${of})`;
const saidText = (o: Outcome): string => {
  const s = o.said;
  const parts = [
    `maker=${s.maker ?? '-'}`,
    ...(s.brand ? [`brand=${s.brand}`] : []),
    `model=${s.model ?? '-'}`,
    `verdict=${s.severity ?? 'none'}`,
  ];
  return parts.join(' ');
};
const labelText = (o: Outcome): string => {
  const l = o.c.label;
  const model = l.model === undefined ? '-' : [l.model].flat().join('|');
  return `maker=${l.maker ?? '(none)'}${l.brand ? ` brand=${l.brand}` : ''} model=${model} restricted=${l.restricted}`;
};

function summary(title: string, f: Figures): void {
  const kinds = Object.entries(f.byKind)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  console.log(`== ${title}: ${f.cases} cases (${kinds}); ${f.mapped} with a field mapping`);
  console.log(`restricted recall     ${pct(f.recall)}  (${f.tp} of ${f.tp + f.fn} restricted were flagged)`);
  console.log(
    `restricted precision  ${pct(f.precision)}  (${f.tp} of ${f.tp + f.fp} flagged were restricted)`,
  );
  console.log(
    `negatives flagged     ${f.fp} of ${f.negatives} not-restricted cases got a restricted verdict`,
  );
  console.log(`maker accuracy        ${pct(f.makerAccuracy)}  (${f.makerRight} of ${f.cases})`);
  console.log(
    `model accuracy        ${pct(f.modelAccuracy)}  (${f.modelRight} of ${f.modelCases} cases whose evidence carries the labelled model; ${f.modelNotCarried} more labelled models not in the evidence)`,
  );
}

function table(title: string, groups: Map<string, Outcome[]>): void {
  console.log(`-- ${title}`);
  console.log(
    `   ${'group'.padEnd(22)} ${'cases'.padStart(5)}  ${'maker right'.padEnd(16)}  ${'restricted recall'.padEnd(16)}  neg flagged`,
  );
  for (const [name, os] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const f = figures(os);
    console.log(
      `   ${name.padEnd(22)} ${String(f.cases).padStart(5)}  ${ratio(f.makerRight, f.cases).padEnd(16)}  ${ratio(f.tp, f.tp + f.fn).padEnd(16)}  ${f.negatives === 0 ? '-' : `${f.fp}/${f.negatives}`}`,
    );
  }
}

function groupBy(os: readonly Outcome[], keys: (o: Outcome) => string[]): Map<string, Outcome[]> {
  const out = new Map<string, Outcome[]>();
  for (const o of os) for (const k of keys(o)) out.set(k, [...(out.get(k) ?? []), o]);
  return out;
}

const cases = loadCases();
const all = measure(cases);
const exchanges = cases.flatMap((c) => c.evidence).filter((e) => e.type === 'exchange').length;
const observations = cases.flatMap((c) => c.evidence).length - exchanges;
console.log(
  `camsweep accuracy — ${all.cases} real public responses; evidence lines: ${exchanges} exchanges, ${observations} observations`,
);
console.log('policy: default (uk-nil-2022); library: built-in fingerprints/');
console.log('split: sha256(case id) first byte even → development, odd → held-out');
console.log('');

for (const half of HALVES) {
  const os = all.outcomes.filter((o) => o.half === half);
  summary(half, figures(os));
  table(
    `${half} by protocol (a case counts under each protocol its evidence speaks)`,
    groupBy(os, (o) => o.protocols),
  );
  table(
    `${half} by labelled maker`,
    groupBy(os, (o) => [o.c.label.maker ?? '(no maker)']),
  );
  console.log('');
}

const dev = all.outcomes.filter((o) => o.half === 'development');
const misses = dev.filter((o) => !o.makerRight || !o.restrictedRight || o.modelRight === false);
console.log(`development misses (${misses.length}; held-out misses are never printed):`);
for (const o of misses) {
  const what = [
    ...(o.restrictedRight ? [] : [o.c.label.restricted ? 'restricted-missed' : 'false-restricted']),
    ...(o.makerRight ? [] : ['maker']),
    ...(o.modelRight === false ? ['model'] : []),
  ].join(',');
  console.log(`  ${o.c.id}  [${what}]  (${o.protocols.join(', ')})`);
  console.log(`      label: ${labelText(o)}`);
  console.log(`      said:  ${saidText(o)}`);
}
