import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.ts';
import type { Observation } from '../../src/core/observation.ts';
import { loadLibrary } from '../../src/fingerprints/load.ts';
import { loadVendors } from '../../src/fingerprints/vendors.ts';
import type { FieldName } from '../../src/observations/fields.ts';
import { analyse, type Knowledge } from '../../src/pipeline/analyse.ts';
import { loadPolicy, POLICIES_DIR } from '../../src/policy/load.ts';
import type { Policy } from '../../src/policy/schema.ts';

const vendors = loadVendors();
const library = loadLibrary();
const BUILT_IN = ['uk-nil-2022', 'ndaa-889', 'fcc-covered'] as const;
type PolicyId = (typeof BUILT_IN)[number];
const policies = Object.fromEntries(BUILT_IN.map((id) => [id, loadPolicy(id, vendors)])) as Record<
  PolicyId,
  Policy
>;

function obs(host: string, field: FieldName, value: string, port?: number): Observation {
  return { type: 'observation', host, field, value, ...(port !== undefined ? { port } : {}) };
}

/** One device per host, each evaluated under one policy at a time. */
const DEVICES = {
  hikvision: [
    obs('10.0.0.1', 'http.header.server', 'App-webs/', 80),
    obs('10.0.0.1', 'wsd.scope.name', 'HIKVISION DS-2CD2385G1-I'),
  ],
  amcrest: [obs('10.0.0.2', 'http.auth.realm', 'Login to Amcrest', 80)],
  hiwatch: [
    obs('10.0.0.3', 'wsd.scope.hardware', 'DS-I114W'),
    obs('10.0.0.3', 'wsd.scope.name', 'HIKVISION'),
  ],
  uniview: [obs('10.0.0.4', 'mac.address', '48:ea:63:00:00:01')],
  huawei: [obs('10.0.0.5', 'http.auth.realm', 'HuaweiHomeGateway', 80)],
  axis: [obs('10.0.0.6', 'wsd.scope.name', 'AXIS M2036-LE')],
} satisfies Record<string, Observation[]>;
type DeviceName = keyof typeof DEVICES;

function findingFor(device: DeviceName, policy: PolicyId): Finding | undefined {
  const k: Knowledge = { library, vendors, policies: [policies[policy]] };
  const a = analyse(DEVICES[device], k);
  expect(a.devices).toHaveLength(1);
  expect(a.findings.length).toBeLessThanOrEqual(1);
  return a.findings[0];
}

function verdict(device: DeviceName, policy: PolicyId): string {
  const f = findingFor(device, policy);
  return f ? f.severity : 'none';
}

describe('built-in policies', () => {
  it('every fingerprints/policies/*.yaml loads and validates, with ids matching file names', () => {
    const files = readdirSync(POLICIES_DIR).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).toEqual(BUILT_IN.map((id) => `${id}.yaml`).sort());
    for (const file of files) {
      const p = loadPolicy(file.replace(/\.yaml$/, ''), vendors);
      expect(p.id).toBe(file.replace(/\.yaml$/, ''));
      expect(p.rules.length).toBeGreaterThan(0);
      for (const r of p.rules) {
        expect(r.basis.trim()).not.toBe('');
        expect(r.references.length).toBeGreaterThan(0);
      }
    }
  });

  it('ndaa-889 lists the five statutory makers with subsidiaries and OEM products, citing FAR 52.204-25', () => {
    const p = policies['ndaa-889'];
    expect(p.date).toBe('2018-08-13');
    expect(p.rules.flatMap((r) => r.makers).sort()).toEqual([
      'dahua',
      'hikvision',
      'huawei',
      'hytera',
      'zte',
    ]);
    for (const r of p.rules) {
      expect(r).toMatchObject({ severity: 'restricted', includeSubsidiaries: true, includeOem: true });
      expect(r.references.join('\n')).toMatch(/FAR 52\.204-25/);
      expect(r.references.join('\n')).toMatch(/§889/);
    }
    expect(p.summary).toMatch(/13 August 2019/);
  });

  it('fcc-covered carries each entry with its date of inclusion, March 12, 2021', () => {
    const p = policies['fcc-covered'];
    expect(p.date).toBe('2021-03-12');
    expect(p.rules.map((r) => r.id).sort()).toEqual(['dahua', 'hikvision', 'huawei', 'hytera', 'zte']);
    for (const r of p.rules) expect(r.basis).toContain('March 12, 2021');
    for (const id of ['hikvision', 'dahua', 'hytera']) {
      expect(p.rules.find((r) => r.id === id)?.basis).toContain(
        'to the extent it is used for the purpose of public safety',
      );
    }
    for (const id of ['huawei', 'zte']) {
      expect(p.rules.find((r) => r.id === id)?.basis).not.toContain('to the extent');
    }
  });
});

describe('the same devices under each policy', () => {
  const expected: Record<DeviceName, Record<PolicyId, string>> = {
    hikvision: { 'uk-nil-2022': 'restricted', 'ndaa-889': 'restricted', 'fcc-covered': 'restricted' },
    amcrest: { 'uk-nil-2022': 'restricted', 'ndaa-889': 'restricted', 'fcc-covered': 'restricted' },
    hiwatch: { 'uk-nil-2022': 'restricted', 'ndaa-889': 'restricted', 'fcc-covered': 'restricted' },
    uniview: { 'uk-nil-2022': 'review', 'ndaa-889': 'none', 'fcc-covered': 'none' },
    huawei: { 'uk-nil-2022': 'restricted', 'ndaa-889': 'restricted', 'fcc-covered': 'restricted' },
    axis: { 'uk-nil-2022': 'none', 'ndaa-889': 'none', 'fcc-covered': 'none' },
  };
  for (const [device, verdicts] of Object.entries(expected) as [DeviceName, Record<PolicyId, string>][]) {
    it(`${device}: ${BUILT_IN.map((p) => `${p}=${verdicts[p]}`).join(', ')}`, () => {
      for (const policy of BUILT_IN)
        expect({ policy, verdict: verdict(device, policy) }).toEqual({ policy, verdict: verdicts[policy] });
    });
  }

  it('a Hikvision camera: the FCC finding carries the purpose qualifier and the date, the NDAA one the statute', () => {
    const fcc = findingFor('hikvision', 'fcc-covered');
    expect(fcc).toMatchObject({
      policy: 'fcc-covered',
      rule: 'hikvision',
      severity: 'restricted',
      lineage: 'Hikvision',
    });
    expect(fcc?.basis).toContain(
      'to the extent it is used for the purpose of public safety, security of government facilities, physical security surveillance of critical infrastructure, and other national security purposes',
    );
    expect(fcc?.basis).toContain('March 12, 2021');
    expect(fcc?.basis).not.toMatch(/\n/);

    const ndaa = findingFor('hikvision', 'ndaa-889');
    expect(ndaa).toMatchObject({
      policy: 'ndaa-889',
      rule: 'video-surveillance-makers',
      severity: 'restricted',
    });
    expect(ndaa?.basis).toMatch(/NDAA FY2019 §889/);
    expect(ndaa?.basis).toMatch(/subsidiary or affiliate/);
  });

  it('an Amcrest camera (Dahua OEM) matches the Dahua entry, with its lineage', () => {
    const fcc = findingFor('amcrest', 'fcc-covered');
    expect(fcc).toMatchObject({
      rule: 'dahua',
      maker: 'dahua',
      brand: 'amcrest',
      lineage: 'Amcrest (made by Dahua)',
    });
    expect(findingFor('amcrest', 'ndaa-889')?.lineage).toBe('Amcrest (made by Dahua)');
  });

  it('a Huawei gateway matches the telecom rules, without the purpose qualifier', () => {
    expect(findingFor('huawei', 'ndaa-889')?.rule).toBe('telecom-makers');
    const fcc = findingFor('huawei', 'fcc-covered');
    expect(fcc?.rule).toBe('huawei');
    expect(fcc?.basis).not.toContain('to the extent');
  });

  it('all three policies together give one finding per policy for a Hikvision camera', () => {
    const a = analyse(DEVICES.hikvision, { library, vendors, policies: BUILT_IN.map((p) => policies[p]) });
    expect(a.findings.map((f) => f.policy).sort()).toEqual(['fcc-covered', 'ndaa-889', 'uk-nil-2022']);
  });
});

describe('device types', () => {
  it("uk-nil-2022 flags a Huawei home router under the named makers' other-equipment rule, not the WMS's surveillance rule", async () => {
    const { analyse } = await import('../../src/pipeline/analyse.ts');
    const { loadLibrary } = await import('../../src/fingerprints/load.ts');
    const { loadVendors } = await import('../../src/fingerprints/vendors.ts');
    const { loadPolicy } = await import('../../src/policy/load.ts');
    const vendors = loadVendors();
    const evidence = [
      {
        type: 'observation' as const,
        host: '10.9.0.1',
        field: 'http.auth.realm' as const,
        value: 'HuaweiHomeGateway',
      },
    ];
    const uk = analyse(evidence, {
      library: loadLibrary(),
      vendors,
      policies: [loadPolicy('uk-nil-2022', vendors)],
    });
    expect(uk.devices[0]?.maker).toBe('huawei');
    expect(uk.devices[0]?.deviceType).toBe('router');
    expect(uk.findings.map((f) => [f.rule, f.severity])).toEqual([
      ['named-prc-makers-other-equipment', 'restricted'],
    ]);
    expect(uk.findings[0]?.basis).toMatch(/another kind/);
    const ndaa = analyse(evidence, {
      library: loadLibrary(),
      vendors,
      policies: [loadPolicy('ndaa-889', vendors)],
    });
    expect(ndaa.findings.map((f) => f.severity)).toEqual(['restricted']);
  });
});
