/**
 * Fingerprint library files for verify/load tests, written in the library's own layout so that a
 * case states only what it breaks. Line numbers are part of what those tests assert: the file
 * opens with `field:` (line 1) and `fingerprints:` (line 2); each entry then takes seven lines
 * (id, pattern, set, certainty, examples, provenance, counterexamples) plus its `extra` lines, so
 * without extras the first entry's id is on line 3 and the second's on line 10.
 */

export interface FingerprintSpec {
  id: string;
  /** The banner value the single example feeds in; the pattern defaults to matching exactly it. */
  value: string;
  /** Regular expression source; default `^<value>$`. */
  pattern?: string;
  set: Record<string, string>;
  certainty?: number;
  /** What the example expects; default the maker that `set` names. */
  expect?: Record<string, string>;
  /** Raw YAML lines placed right after `certainty`, e.g. an unknown key or counterexamples. */
  extra?: string[];
}

/** A well-formed camera fingerprint; most broken files are this one plus the entry under test. */
export const GOOD: FingerprintSpec = {
  id: 'test-good',
  value: 'Test-Good',
  set: { maker: 'hikvision', deviceType: 'camera' },
};

/** Vendor ids and device types stay bare, anything else is quoted (so "5.5" stays a string). */
function scalar(value: string): string {
  return /^[a-z][a-z-]*$/.test(value) ? value : JSON.stringify(value);
}

function flow(map: Record<string, string>): string {
  return `{ ${Object.entries(map)
    .map(([k, v]) => `${k}: ${scalar(v)}`)
    .join(', ')} }`;
}

function entry(spec: FingerprintSpec): string[] {
  const expected = spec.expect ?? { maker: spec.set.maker ?? '' };
  return [
    `  - id: ${spec.id}`,
    `    pattern: ${JSON.stringify(spec.pattern ?? `^${spec.value}$`)}`,
    `    set: ${flow(spec.set)}`,
    `    certainty: ${spec.certainty ?? 0.9}`,
    ...(spec.extra ?? []).map((line) => `    ${line}`),
    `    examples: [{ value: ${JSON.stringify(spec.value)}, expect: ${flow(expected)} }]`,
    '    provenance: "test fixture for verify"',
    // Every fingerprint names a near miss it must not match (the schema requires one).
    ...(spec.extra?.some((l) => l.startsWith('counterexamples:'))
      ? []
      : ['    counterexamples: ["Unrelated-Server/1.0"]']),
  ];
}

/** One fingerprint file for `field` holding the given entries, in order. */
export function fingerprintYaml(field: string, ...entries: FingerprintSpec[]): string {
  return `${[`field: ${field}`, 'fingerprints:', ...entries.flatMap(entry)].join('\n')}\n`;
}
