import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Observation } from '../../src/core/observation.ts';
import { buildLibrary, loadFingerprintFile, loadLibrary } from '../../src/fingerprints/load.ts';
import { loadVendors } from '../../src/fingerprints/vendors.ts';
import type { FieldName } from '../../src/observations/fields.ts';
import { type Analysis, analyse, type Knowledge } from '../../src/pipeline/analyse.ts';
import { loadPolicy } from '../../src/policy/load.ts';

const vendors = loadVendors();
const library = loadLibrary();
const ukNil = loadPolicy('uk-nil-2022', vendors);
const knowledge: Knowledge = { library, vendors, policies: [ukNil] };

const temp = mkdtempSync(join(tmpdir(), 'camsweep-resolve-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function obs(host: string, field: FieldName, value: string, port?: number): Observation {
  return { type: 'observation', host, field, value, ...(port !== undefined ? { port } : {}) };
}

function only(a: Analysis) {
  expect(a.devices).toHaveLength(1);
  const device = a.devices[0];
  if (!device) throw new Error('no device');
  return device;
}

describe('restricted makers and their brands (uk-nil-2022)', () => {
  it('Hikvision: App-webs/ plus a HIKVISION name scope is a confirmed restricted finding', () => {
    const a = analyse(
      [
        obs('10.0.0.1', 'http.header.server', 'App-webs/', 80),
        obs('10.0.0.1', 'wsd.scope.name', 'HIKVISION DS-2CD2385G1-I'),
      ],
      knowledge,
    );
    const d = only(a);
    expect(d.maker).toBe('hikvision');
    expect(d.model).toBe('DS-2CD2385G1-I');
    expect(a.findings).toHaveLength(1);
    expect(a.findings[0]).toMatchObject({
      device: d.id,
      policy: 'uk-nil-2022',
      rule: 'named-prc-makers',
      severity: 'restricted',
      confidence: 'confirmed',
      maker: 'hikvision',
      lineage: 'Hikvision',
    });
    expect(a.findings[0]?.evidence.map((e) => e.value).sort()).toEqual([
      'App-webs/',
      'HIKVISION DS-2CD2385G1-I',
    ]);
  });

  it('Amcrest: the realm "Login to Amcrest" names Dahua as the maker behind the label', () => {
    const a = analyse([obs('10.0.0.2', 'http.auth.realm', 'Login to Amcrest', 80)], knowledge);
    const d = only(a);
    expect(d.maker).toBe('dahua');
    expect(d.brand).toBe('amcrest');
    expect(a.findings).toHaveLength(1);
    expect(a.findings[0]).toMatchObject({
      severity: 'restricted',
      maker: 'dahua',
      brand: 'amcrest',
      lineage: 'Amcrest (made by Dahua)',
    });
  });

  it('Luma: an OEM label on Hikvision NVR firmware is reported as made by Hikvision', () => {
    const a = analyse(
      [
        obs('10.0.0.3', 'wsd.scope.name', 'LUM-500-NVR-8CH'),
        obs('10.0.0.3', 'http.header.server', 'DNVRS-Webs', 80),
      ],
      knowledge,
    );
    const d = only(a);
    expect(d.maker).toBe('hikvision');
    expect(d.brand).toBe('luma');
    expect(d.model).toBe('LUM-500-NVR-8CH');
    expect(a.findings[0]).toMatchObject({
      severity: 'restricted',
      lineage: 'Luma Surveillance (made by Hikvision)',
    });
  });

  it('HiWatch: the more specific brand wins over the HIKVISION name scope', () => {
    const a = analyse(
      [obs('10.0.0.4', 'wsd.scope.hardware', 'DS-I114W'), obs('10.0.0.4', 'wsd.scope.name', 'HIKVISION')],
      knowledge,
    );
    const d = only(a);
    expect(d.maker).toBe('hikvision');
    expect(d.brand).toBe('hiwatch');
    expect(d.model).toBe('DS-I114W');
    expect(a.findings[0]?.lineage).toBe('HiWatch (made by Hikvision)');
  });

  it('EZVIZ OUI alone: Hikvision at OUI strength, a finding but not a confirmed one', () => {
    const a = analyse([obs('10.0.0.5', 'mac.address', '0c:a6:4c:00:00:01')], knowledge);
    const d = only(a);
    expect(d.maker).toBe('hikvision');
    expect(d.brand).toBe('ezviz');
    expect(a.findings).toHaveLength(1);
    expect(a.findings[0]?.lineage).toBe('EZVIZ (made by Hikvision)');
    expect(a.findings[0]?.confidence).not.toBe('confirmed');
  });

  it('Amcrest OUI alone (a brand, no maker claim): Dahua is inferred, the note says so, not confirmed', () => {
    const a = analyse([obs('10.0.0.6', 'mac.address', '9c:8e:cd:4e:21:07')], knowledge);
    const d = only(a);
    expect(d.maker).toBe('dahua');
    expect(d.brand).toBe('amcrest');
    expect(d.notes.join('\n')).toMatch(/maker inferred from the brand Amcrest/);
    expect(a.findings).toHaveLength(1);
    expect(a.findings[0]?.confidence).not.toBe('confirmed');
  });
});

describe('brands with unverified or no maker links (test-only fingerprints)', () => {
  const dir = join(temp, 'lib', 'wsd');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'name.yaml');
  writeFileSync(
    file,
    `field: wsd.scope.name
fingerprints:
  - id: test-name-lts
    pattern: "^LTS$"
    set: { brand: lts, deviceType: camera }
    certainty: 0.95
    examples: [{ value: "LTS", expect: { brand: lts } }]
    counterexamples: ["HIKVISION"]
    provenance: "test-only fingerprint"
  - id: test-name-ezviz
    pattern: "^EZVIZ$"
    set: { brand: ezviz, deviceType: camera }
    certainty: 0.9
    examples: [{ value: "EZVIZ", expect: { brand: ezviz } }]
    counterexamples: ["HIKVISION"]
    provenance: "test-only fingerprint"
`,
  );
  const testLib = buildLibrary([loadFingerprintFile(file, join(temp, 'lib'))]);
  const k: Knowledge = { library: testLib, vendors, policies: [ukNil] };

  it('an LTS label (oemOf Hikvision, unverified) never produces a finding on its own', () => {
    const a = analyse([obs('10.0.1.1', 'wsd.scope.name', 'LTS')], k);
    const d = only(a);
    expect(d.brand).toBe('lts');
    expect(d.maker).toBeUndefined();
    expect(a.findings).toEqual([]);
  });

  it('a brand-only EZVIZ claim: Hikvision inferred through vendors.yaml, the note says so, not confirmed', () => {
    const a = analyse([obs('10.0.1.2', 'wsd.scope.name', 'EZVIZ')], k);
    const d = only(a);
    expect(d.maker).toBe('hikvision');
    expect(d.brand).toBe('ezviz');
    expect(d.notes.join('\n')).toMatch(/maker inferred from the brand EZVIZ/);
    expect(a.findings).toHaveLength(1);
    expect(a.findings[0]?.severity).toBe('restricted');
    expect(a.findings[0]?.confidence).not.toBe('confirmed');
  });
});

describe('non-restricted and unresolvable devices', () => {
  it('Axis: an AXIS_WS_ realm names Axis and gives no finding', () => {
    const a = analyse([obs('10.0.2.1', 'http.auth.realm', 'AXIS_WS_ACCC8E494578', 80)], knowledge);
    expect(only(a).maker).toBe('axis');
    expect(a.findings).toEqual([]);
  });

  it('conflicting strong makers on one host: no maker, the conflict is listed, no finding', () => {
    const a = analyse(
      [
        obs('10.0.2.2', 'http.header.server', 'App-webs/', 80),
        obs('10.0.2.2', 'http.auth.realm', 'AXIS_WS_ACCC8E494578', 80),
      ],
      knowledge,
    );
    const d = only(a);
    expect(d.maker).toBeUndefined();
    const makerConflict = d.conflicts.find((c) => c.attribute === 'maker');
    expect(makerConflict?.values.map((v) => v.value).sort()).toEqual(['axis', 'hikvision']);
    expect(d.notes.join('\n')).toMatch(/conflicting evidence/);
    expect(a.findings).toEqual([]);
  });

  it('SDK ports of three makers open: a honeypot note, no maker, even with a Bosch banner', () => {
    const a = analyse(
      [
        obs('10.0.2.3', 'tcp.open_port', '8000', 8000),
        obs('10.0.2.3', 'tcp.open_port', '37777', 37777),
        obs('10.0.2.3', 'tcp.open_port', '34567', 34567),
        obs('10.0.2.3', 'http.header.server', 'VCS-VideoJet-Webserver', 80),
      ],
      knowledge,
    );
    const d = only(a);
    expect(d.maker).toBeUndefined();
    expect(d.brand).toBeUndefined();
    expect(d.notes.join('\n')).toMatch(/honeypot/);
    expect(a.findings).toEqual([]);
  });

  it('the same honeypot replaying a Hikvision banner is still not a finding', () => {
    const a = analyse(
      [
        obs('10.0.2.4', 'tcp.open_port', '8000', 8000),
        obs('10.0.2.4', 'tcp.open_port', '37777', 37777),
        obs('10.0.2.4', 'tcp.open_port', '34567', 34567),
        obs('10.0.2.4', 'http.header.server', 'App-webs/', 80),
      ],
      knowledge,
    );
    expect(only(a).maker).toBeUndefined();
    expect(a.findings).toEqual([]);
  });
});

describe('merging hosts by MAC address', () => {
  it('two addresses with the same globally administered MAC are one device', () => {
    const a = analyse(
      [
        obs('10.0.3.2', 'mac.address', '58:50:ed:00:10:01'),
        obs('10.0.3.2', 'http.header.server', 'App-webs/', 80),
        obs('10.0.3.1', 'mac.address', '58:50:ed:00:10:01'),
      ],
      knowledge,
    );
    const d = only(a);
    expect(d.addresses).toEqual(['10.0.3.1', '10.0.3.2']);
    expect(d.mac).toBe('58:50:ed:00:10:01');
    expect(a.findings).toHaveLength(1);
    expect(a.findings[0]?.addresses).toEqual(['10.0.3.1', '10.0.3.2']);
  });

  it('a locally administered MAC never merges two hosts', () => {
    const a = analyse(
      [
        obs('10.0.3.3', 'mac.address', '02:00:00:00:99:01'),
        obs('10.0.3.4', 'mac.address', '02:00:00:00:99:01'),
      ],
      knowledge,
    );
    expect(a.devices.map((d) => d.addresses)).toEqual([['10.0.3.3'], ['10.0.3.4']]);
    expect(a.devices.map((d) => d.id)).toEqual(['ip-10.0.3.3', 'ip-10.0.3.4']);
  });

  it('two addresses answering with one ONVIF EndpointReference are one device', () => {
    const a = analyse(
      [
        obs('10.0.3.5', 'wsd.endpoint', 'urn:uuid:4f0a1c00-6324-11b3-8000-5850ed001001'),
        obs('10.0.3.5', 'wsd.scope.name', 'HIKVISION DS-2CD2385G1-I'),
        obs('10.0.3.6', 'wsd.endpoint', 'uuid:4F0A1C00-6324-11B3-8000-5850ED001001'),
        obs('10.0.3.6', 'http.header.server', 'App-webs/', 80),
      ],
      knowledge,
    );
    expect(only(a).addresses).toEqual(['10.0.3.5', '10.0.3.6']);
    expect(a.findings).toHaveLength(1);
  });

  it('two addresses reporting one serial number are one device', () => {
    const a = analyse(
      [
        obs('10.0.3.7', 'sadp.serial', 'DS-2CD2385G1-I20200414AAWRE33842150'),
        obs('10.0.3.8', 'sadp.serial', 'DS-2CD2385G1-I20200414AAWRE33842150'),
        obs('10.0.3.9', 'sadp.serial', 'DS-2CD2142FWD-I20170321BBWR733050075'),
      ],
      knowledge,
    );
    expect(a.devices.map((d) => d.addresses)).toEqual([['10.0.3.7', '10.0.3.8'], ['10.0.3.9']]);
  });
});

describe('policies decide the verdict', () => {
  it('uk-nil-2022: a Uniview OUI is marked for review, not restricted', () => {
    const a = analyse([obs('10.0.4.1', 'mac.address', '48:ea:63:00:00:01')], knowledge);
    expect(only(a).maker).toBe('uniview');
    expect(a.findings).toHaveLength(1);
    expect(a.findings[0]).toMatchObject({ rule: 'other-prc-makers', severity: 'review' });
  });

  it('switching to a custom policy that lists only Axis flips both verdicts', () => {
    const path = join(temp, 'axis-only.yaml');
    writeFileSync(
      path,
      `id: axis-only
title: Test policy that restricts Axis only
jurisdiction: Test
reference: test
date: "2024-01-01"
rules:
  - id: axis
    severity: restricted
    makers: [axis]
    basis: test basis
    action: test action
`,
    );
    const evidence = [
      obs('10.0.5.1', 'http.auth.realm', 'AXIS_WS_ACCC8E494578', 80),
      obs('10.0.5.2', 'http.header.server', 'App-webs/', 80),
    ];
    const underUk = analyse(evidence, knowledge);
    expect(underUk.findings.map((f) => f.addresses[0])).toEqual(['10.0.5.2']);

    const custom = analyse(evidence, { library, vendors, policies: [loadPolicy(path, vendors)] });
    expect(custom.findings).toHaveLength(1);
    expect(custom.findings[0]).toMatchObject({
      addresses: ['10.0.5.1'],
      policy: 'axis-only',
      rule: 'axis',
      maker: 'axis',
      severity: 'restricted',
    });
  });
});
