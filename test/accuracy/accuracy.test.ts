import { describe, expect, it } from 'vitest';
import { loadVendors } from '../../src/fingerprints/vendors.ts';
import { isField } from '../../src/observations/fields.ts';
import { fingerprintExamples, KINDS, labelRestricted, loadCases, measure } from './measure.ts';

const cases = loadCases();
const vendors = loadVendors();

// Floors set just below what the set measured on 2026 library state (see README.md). A drop
// below them is a regression; raise them when the library genuinely improves. Never tune
// fingerprints to this set: it is an independent measurement.
const FLOOR = { precision: 0.99, recall: 0.68, makerAccuracy: 0.7, modelAccuracy: 0.35 };

describe('accuracy set', () => {
  it('loads, with unique ids and enough cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
  });

  it('every case has provenance, a label and evidence in registered fields', () => {
    for (const c of cases) {
      expect(c.provenance, c.id).toMatch(/\S{10,}/);
      expect(typeof c.label.restricted, c.id).toBe('boolean');
      expect(KINDS, c.id).toContain(c.label.kind);
      for (const id of [c.label.maker, c.label.brand])
        if (id) expect(vendors.get(id), `${c.id}: ${id}`).toBeDefined();
      expect(c.evidence.length, c.id).toBeGreaterThan(0);
      for (const e of c.evidence) {
        if (e.type === 'observation') {
          expect(isField(e.field), `${c.id}: ${e.field}`).toBe(true);
          expect(e.host, c.id).toMatch(/^192\.0\.2\.\d{1,3}$/);
        } else expect(e.type, c.id).toBe('exchange');
      }
    }
  });

  it('labels agree with vendors.yaml on what is restricted', () => {
    for (const c of cases) expect(c.label.restricted, c.id).toBe(labelRestricted(vendors, c.label));
  });

  it('no case value duplicates a fingerprint example', () => {
    const examples = fingerprintExamples();
    expect(examples.size).toBeGreaterThan(100);
    for (const c of cases) {
      for (const e of c.evidence) {
        const value = e.type === 'observation' ? e.value : e.response;
        expect(examples.has(value), `${c.id}: "${value}" is a fingerprint example`).toBe(false);
      }
    }
  });

  it('measured figures stay at or above their floors', () => {
    const f = measure(cases);
    expect(f.precision).toBeGreaterThanOrEqual(FLOOR.precision);
    expect(f.recall).toBeGreaterThanOrEqual(FLOOR.recall);
    expect(f.makerAccuracy).toBeGreaterThanOrEqual(FLOOR.makerAccuracy);
    expect(f.modelAccuracy).toBeGreaterThanOrEqual(FLOOR.modelAccuracy);
  });
});
