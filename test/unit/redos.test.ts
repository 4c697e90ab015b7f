import { describe, expect, it } from 'vitest';
import { loadLibrary } from '../../src/fingerprints/load.ts';
import { catastrophicBacktracking } from '../../src/fingerprints/redos.ts';

describe('catastrophicBacktracking', () => {
  it.each([
    ['(a+)+'],
    ['^(a+)+$'],
    ['(\\w*x)*'],
    ['(a|a)*'],
    ['(.*a){20,}'],
    ['^(?:[A-Z]+-?)+$'],
    ['^((ab)*c)+$'],
  ])('flags %s', (pattern) => {
    expect(catastrophicBacktracking(pattern)).toEqual(expect.any(String));
  });

  it.each([
    ['^App-webs/$'],
    ['^(?:DS|iDS)-[0-9][A-Z0-9]{1,12}$'],
    ['^Hikvision-Webs(?:/(?<version>\\S+))?$'],
    ['^(?<model>(?:DS|iDS)-[0-9][A-Z0-9]{1,12}(?:-[A-Z0-9/()]{1,12}){0,4})$'],
    ['^Login to [0-9a-f]{32}$'],
    ['^a+b+c*$'],
    ['^[(+*]+\\(\\)$'],
  ])('accepts %s', (pattern) => {
    expect(catastrophicBacktracking(pattern)).toBeUndefined();
  });

  it('accepts every pattern of the real library', () => {
    const flagged = loadLibrary()
      .files.flatMap((f) => f.fingerprints)
      .map((fp) => ({ at: `${fp.file}:${fp.line} ${fp.id}`, why: catastrophicBacktracking(fp.pattern) }))
      .filter((x) => x.why !== undefined);
    expect(flagged).toEqual([]);
  });

  it('reports unbalanced parentheses instead of passing them', () => {
    expect(catastrophicBacktracking('^(abc$')).toMatch(/unbalanced/);
    expect(catastrophicBacktracking('^abc)$')).toMatch(/unbalanced/);
  });
});
