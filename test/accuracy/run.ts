/**
 * `npm run accuracy`: runs every case of test/accuracy/cases.yaml through analyse() with the
 * built-in fingerprint library and the default policy, prints the figures and every miss.
 */
import { loadCases, measure, type Outcome } from './measure.ts';

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
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

const cases = loadCases();
const f = measure(cases);
const kinds = Object.entries(f.byKind)
  .map(([k, n]) => `${k} ${n}`)
  .join(', ');

console.log(
  `camsweep accuracy — ${f.cases} real public responses (${kinds}); ${f.mapped} with a field mapping`,
);
console.log('policy: default (uk-nil-2022); library: built-in fingerprints/');
console.log('');
console.log(
  `restricted verdict  precision ${pct(f.precision)}  (${f.tp} of ${f.tp + f.fp} flagged were restricted)`,
);
console.log(
  `                    recall    ${pct(f.recall)}  (${f.tp} of ${f.tp + f.fn} restricted were flagged)`,
);
console.log(`                    tp ${f.tp}  fp ${f.fp}  fn ${f.fn}  tn ${f.tn}`);
console.log(`maker accuracy      ${pct(f.makerAccuracy)}  (${f.makerRight} of ${f.cases})`);
console.log(
  `model accuracy      ${pct(f.modelAccuracy)}  (${f.modelRight} of ${f.modelCases} cases with a labelled model)`,
);
console.log('');

const misses = f.outcomes.filter((o) => !o.makerRight || !o.restrictedRight || o.modelRight === false);
console.log(`misses (${misses.length}):`);
for (const o of misses) {
  const what = [
    ...(o.restrictedRight ? [] : [o.c.label.restricted ? 'restricted-missed' : 'false-restricted']),
    ...(o.makerRight ? [] : ['maker']),
    ...(o.modelRight === false ? ['model'] : []),
  ].join(',');
  console.log(`  ${o.c.id}  [${what}]`);
  console.log(`      label: ${labelText(o)}`);
  console.log(`      said:  ${saidText(o)}`);
}
