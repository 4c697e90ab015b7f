import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CamsweepError } from '../../src/core/errors.ts';
import { loadVendors } from '../../src/fingerprints/vendors.ts';
import { loadPolicy } from '../../src/policy/load.ts';

const vendors = loadVendors();
const temp = mkdtempSync(join(tmpdir(), 'camsweep-policy-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function policyFile(name: string, text: string): string {
  const path = join(temp, name);
  writeFileSync(path, text);
  return path;
}

function policyError(name: string): CamsweepError {
  try {
    loadPolicy(name, vendors);
  } catch (err) {
    expect(err).toBeInstanceOf(CamsweepError);
    const e = err as CamsweepError;
    expect(e.code).toBe('POLICY');
    expect(e.message).not.toContain('\n');
    return e;
  }
  throw new Error(`loadPolicy("${name}") did not fail`);
}

const HEAD = `id: test-policy
title: Test policy
jurisdiction: Test
reference: test
date: "2024-01-01"
`;

describe('loadPolicy', () => {
  it('loads the built-in uk-nil-2022 by name, with defaults filled in', () => {
    const p = loadPolicy('uk-nil-2022', vendors);
    expect(p.id).toBe('uk-nil-2022');
    const named = p.rules.find((r) => r.id === 'named-prc-makers');
    expect(named?.makers).toEqual(expect.arrayContaining(['hikvision', 'dahua']));
    expect(named?.severity).toBe('restricted');
  });

  it('an unknown key: file:line of that key', () => {
    const path = policyFile(
      'unknown-key.yaml',
      `${HEAD}colour: red
rules:
  - { id: r, severity: restricted, makers: [hikvision], basis: b, action: a }
`,
    );
    expect(policyError(path).message).toBe(`${path}:6: file: unknown key "colour"`);
  });

  it('an unknown key inside a rule', () => {
    const path = policyFile(
      'unknown-rule-key.yaml',
      `${HEAD}rules:
  - id: r
    severity: restricted
    makers: [hikvision]
    includeOEM: false
    basis: b
    action: a
`,
    );
    expect(policyError(path).message).toBe(`${path}:10: rules.0: unknown key "includeOEM"`);
  });

  it('a maker id that is not in vendors.yaml: file:line of that id', () => {
    const path = policyFile(
      'unknown-maker.yaml',
      `${HEAD}rules:
  - id: r
    severity: restricted
    makers:
      - hikvision
      - hikvison
    basis: b
    action: a
`,
    );
    expect(policyError(path).message).toBe(
      `${path}:11: unknown maker "hikvison" (not in fingerprints/vendors.yaml)`,
    );
  });

  it('a missing file names the file', () => {
    const path = join(temp, 'does-not-exist.yaml');
    expect(policyError(path).message).toBe(`${path}: cannot read (ENOENT)`);
  });

  it('an unknown built-in name lists the built-in policies', () => {
    expect(policyError('uk-nil-2099').message).toBe(
      'unknown policy "uk-nil-2099" (built-in: fcc-covered, ndaa-889, uk-nil-2022)',
    );
  });
});
