import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CamsweepError } from '../src/core/errors.ts';
import { FINGERPRINTS_DIR } from '../src/core/paths.ts';
import { loadLibrary } from '../src/fingerprints/load.ts';
import { verifyLibrary } from '../src/fingerprints/verify.ts';
import { fingerprintYaml, GOOD } from './helpers/fingerprint-yaml.ts';

const temps: string[] = [];

afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

/**
 * A library in a temp dir: the real schema/ and vendors.yaml plus the given files
 * (paths relative to the library root, e.g. "test/bad.yaml"). Negatives come from their own
 * folder, empty unless given.
 */
function tempLibrary(
  files: Record<string, string>,
  negatives?: string,
): { dir: string; negativesDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'camsweep-fp-'));
  temps.push(root);
  const dir = join(root, 'fingerprints');
  const negativesDir = join(root, 'negatives');
  mkdirSync(dir);
  mkdirSync(negativesDir);
  cpSync(join(FINGERPRINTS_DIR, 'schema'), join(dir, 'schema'), { recursive: true });
  copyFileSync(join(FINGERPRINTS_DIR, 'vendors.yaml'), join(dir, 'vendors.yaml'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  if (negatives !== undefined) writeFileSync(join(negativesDir, 'banners.yaml'), negatives);
  return { dir, negativesDir };
}

function verifyOne(text: string, negatives?: string): string[] {
  const { dir, negativesDir } = tempLibrary({ 'test/bad.yaml': text }, negatives);
  return verifyLibrary(dir, negativesDir).errors;
}

const SERVER = 'http.header.server';

/** The minimal good file the broken ones build on; see the helper for the line layout asserted below. */
const GOOD_FILE = fingerprintYaml(SERVER, GOOD);

describe('verifyLibrary on the real library', () => {
  it('reports no errors and checks every file, fingerprint and example', () => {
    const r = verifyLibrary();
    expect(r.errors).toEqual([]);
    expect(r.files).toBeGreaterThanOrEqual(10);
    expect(r.fingerprints).toBeGreaterThanOrEqual(r.files);
    expect(r.examples).toBeGreaterThanOrEqual(r.fingerprints);
    expect(r.negatives).toBeGreaterThan(0);
  });
});

describe('verifyLibrary reports each broken rule as fingerprints/<file>.yaml:<line>', () => {
  it('accepts the minimal good file used as the base of the broken ones', () => {
    expect(verifyOne(GOOD_FILE)).toEqual([]);
  });

  it('schema violation: an unknown key, on the line of that key', () => {
    const errors = verifyOne(
      fingerprintYaml(SERVER, {
        id: 'test-a',
        value: 'Test-A',
        set: { maker: 'hikvision' },
        extra: ['colour: red'],
      }),
    );
    expect(errors).toEqual(['fingerprints/test/bad.yaml:7: fingerprints.0: unknown key "colour"']);
  });

  it('a field that is not in the registry', () => {
    const errors = verifyOne(
      `# a field nobody produces\n${fingerprintYaml('http.header.colour', {
        id: 'test-a',
        value: 'Test-A',
        set: { maker: 'hikvision' },
      })}`,
    );
    expect(errors).toEqual(['fingerprints/test/bad.yaml:2: unknown field "http.header.colour"']);
  });

  it('a duplicate id, even across files, pointing back at the first', () => {
    const axis = { maker: 'axis' };
    const { dir, negativesDir } = tempLibrary({
      'test/a.yaml': GOOD_FILE,
      'test/b.yaml': fingerprintYaml(
        'http.title',
        { id: 'test-other', value: 'Other', set: axis },
        { id: 'test-good', value: 'Test-Title', set: axis },
      ),
    });
    expect(verifyLibrary(dir, negativesDir).errors).toEqual([
      'fingerprints/test/b.yaml:10: duplicate id "test-good" (first at fingerprints/test/a.yaml:3)',
    ]);
  });

  it('a pattern that does not compile, on the line of the pattern', () => {
    const errors = verifyOne(
      fingerprintYaml(SERVER, GOOD, {
        id: 'test-broken',
        value: 'Test-Broken',
        pattern: '^Test-(Broken$',
        set: { maker: 'hikvision' },
      }),
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^fingerprints\/test\/bad\.yaml:11: Invalid regular expression: .*$/);
  });

  it('a catastrophically backtracking pattern', () => {
    const errors = verifyOne(
      fingerprintYaml(SERVER, GOOD, {
        id: 'test-redos',
        value: 'aaaa',
        pattern: '^(a+)+$',
        set: { maker: 'hikvision' },
      }),
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^fingerprints\/test\/bad\.yaml:10: pattern can backtrack catastrophically/);
  });

  it('a named group that set never uses', () => {
    const errors = verifyOne(
      fingerprintYaml(SERVER, {
        id: 'test-group',
        value: 'Test-Webs/1.0',
        pattern: '^Test-Webs/(?<version>\\S+)$',
        set: { maker: 'hikvision' },
      }),
    );
    expect(errors).toEqual(['fingerprints/test/bad.yaml:3: named group "version" is never used in set']);
  });

  it('an example that an earlier fingerprint matches first', () => {
    const errors = verifyOne(
      fingerprintYaml(
        SERVER,
        { id: 'test-general', value: 'Test-A', pattern: '^Test-[A-Z]$', set: { maker: 'axis' } },
        { id: 'test-specific', value: 'Test-B', set: { maker: 'hikvision' } },
      ),
    );
    expect(errors).toEqual([
      'fingerprints/test/bad.yaml:10: example "Test-B" is matched first by "test-general" (fingerprints/test/bad.yaml:3)',
    ]);
  });

  it('an example whose expected value differs from what the fingerprint sets', () => {
    const errors = verifyOne(
      fingerprintYaml(SERVER, GOOD, {
        id: 'test-wrong',
        value: 'Test-5.4',
        pattern: '^Test-(?<version>[0-9.]+)$',
        set: { maker: 'hikvision', firmware: '{version}' },
        expect: { maker: 'hikvision', firmware: '5.5' },
      }),
    );
    expect(errors).toEqual([
      'fingerprints/test/bad.yaml:10: example "Test-5.4" gives firmware=5.4, expected 5.5',
    ]);
  });

  it('a fingerprint with no counterexample (every one must name a near miss)', () => {
    const errors = verifyOne(fingerprintYaml(SERVER, { ...GOOD, extra: ['counterexamples: []'] }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^fingerprints\/test\/bad\.yaml:\d+: .*counterexamples/);
  });

  it('a counterexample that the pattern matches', () => {
    const errors = verifyOne(
      fingerprintYaml(SERVER, {
        id: 'test-loose',
        value: 'Test-Webs',
        pattern: '^Test-Webs.*$',
        set: { maker: 'hikvision' },
        extra: ['counterexamples: ["Test-Webserver-Unrelated"]'],
      }),
    );
    expect(errors).toEqual([
      'fingerprints/test/bad.yaml:3: counterexample "Test-Webserver-Unrelated" matches',
    ]);
  });

  it('a fixtures/negatives banner that a fingerprint gives a camera maker', () => {
    const negatives = `banners:
  - field: http.header.server
    value: "GoAhead-Webs"
    what: "consumer routers"
    source: "test"
`;
    const errors = verifyOne(
      fingerprintYaml(SERVER, GOOD, {
        id: 'test-goahead',
        value: 'GoAhead-Webs',
        set: { maker: 'hikvision' },
        certainty: 0.5,
      }),
      negatives,
    );
    expect(errors).toEqual([
      'fingerprints/test/bad.yaml:10: negative "GoAhead-Webs" (consumer routers) is attributed to hikvision by "test-goahead"',
    ]);
  });

  it('a negatives banner may name a maker when the fingerprint says it is not a camera', () => {
    const negatives = `banners:
  - { field: http.auth.realm, value: "HuaweiHomeGateway", what: "home gateway", source: "test" }
`;
    const errors = verifyOne(
      fingerprintYaml('http.auth.realm', {
        id: 'test-gateway',
        value: 'HuaweiHomeGateway',
        set: { maker: 'huawei', deviceType: 'router' },
        certainty: 0.85,
      }),
      negatives,
    );
    expect(errors).toEqual([]);
  });

  it('a maker id that vendors.yaml does not know', () => {
    const errors = verifyOne(
      fingerprintYaml(SERVER, GOOD, { id: 'test-typo', value: 'Test-Typo', set: { maker: 'hikvison' } }),
    );
    expect(errors).toEqual(['fingerprints/test/bad.yaml:10: maker "hikvison" is not in vendors.yaml']);
  });
});

describe('loadLibrary refuses broken YAML with one line naming file:line', () => {
  function loadError(text: string): CamsweepError {
    const { dir } = tempLibrary({ 'test/bad.yaml': text });
    try {
      loadLibrary(dir);
    } catch (err) {
      expect(err).toBeInstanceOf(CamsweepError);
      return err as CamsweepError;
    }
    throw new Error('loadLibrary accepted a broken file');
  }

  it('a YAML syntax error', () => {
    const err = loadError(`field: http.header.server
fingerprints:
  - id: test-a
    pattern: "^Test-A$"
   set: { maker: hikvision }
    certainty: 0.9
`);
    expect(err.code).toBe('FINGERPRINT');
    expect(err.message).not.toContain('\n');
    expect(err.message).toMatch(/fingerprints\/test\/bad\.yaml:5: \S/);
  });

  it('a YAML alias bomb: aliases are refused, not expanded', () => {
    const err = loadError(`field: http.header.server
a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
fingerprints: [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
`);
    expect(err.code).toBe('FINGERPRINT');
    expect(err.message).not.toContain('\n');
    expect(err.message).toMatch(/fingerprints\/test\/bad\.yaml:3: .*alias/i);
  });
});
