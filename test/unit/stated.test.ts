import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Observation } from '../../src/core/observation.ts';
import { FINGERPRINTS_DIR } from '../../src/core/paths.ts';
import { buildLibrary, loadLibrary, loadStatedFields } from '../../src/fingerprints/load.ts';
import { loadVendors } from '../../src/fingerprints/vendors.ts';
import { analyse } from '../../src/pipeline/analyse.ts';
import { loadPolicy } from '../../src/policy/load.ts';

const obs = (field: string, value: string, host = '192.0.2.10'): Observation => ({
  type: 'observation',
  host,
  field,
  value,
});

/**
 * A maker that has no fingerprint at all, added to a copy of vendors.yaml the way a contributor
 * would add one. Its names, domain, enterprise number and registrant are test data, not device
 * evidence: the test shows the registry alone makes a stated maker identifiable in every field.
 */
function registryWithNewMaker() {
  const dir = mkdtempSync(join(tmpdir(), 'camsweep-vendors-'));
  const path = join(dir, 'vendors.yaml');
  const text = readFileSync(join(FINGERPRINTS_DIR, 'vendors.yaml'), 'utf8');
  writeFileSync(
    path,
    `${text.trimEnd()}
  - id: quokkavision
    name: QuokkaVision
    legalName: Shenzhen QuokkaVision Intelligent Co., Ltd.
    kind: maker
    domains: [quokkavision.example]
    enterpriseNumbers: [4000000001]
    ouiRegistrants: ['Shenzhen QuokkaVision Intelligent Co.,Ltd']
`,
  );
  return loadVendors(path);
}

describe('stated makers resolve through the vendor registry', () => {
  const vendors = registryWithNewMaker();
  // Only the stated-field rules: no fingerprint knows QuokkaVision.
  const knowledge = { library: buildLibrary([], loadStatedFields()), vendors, policies: [] };
  const makerOf = (evidence: Observation[]) => analyse(evidence, knowledge).devices[0]?.maker;

  it.each([
    ['onvif.device.manufacturer', 'QUOKKAVISION'],
    ['onvif.device.manufacturer', 'Shenzhen QuokkaVision Intelligent Co., Ltd.'],
    ['wsd.scope.manufacturer', 'QuokkaVision'],
    ['wsd.scope.name', 'QuokkaVision IPC'],
    ['upnp.manufacturer', 'QuokkaVision Co.,Ltd.'],
    ['upnp.manufacturer_url', 'http://www.quokkavision.example/'],
    ['upnp.model_url', 'https://support.quokkavision.example/ipc'],
    ['ssdp.header.server', 'Linux/3.10, UPnP/1.0, QuokkaVision/1.0'],
    ['dhip.vendor', 'QuokkaVision'],
    ['sadp.oem_info', 'QuokkaVision'],
    ['snmp.sys_object_id', '1.3.6.1.4.1.4000000001.1.1'],
    ['snmp.sys_object_id', 'SNMPv2-SMI::enterprises.4000000001.2'],
    ['snmp.sys_descr', 'QuokkaVision network camera, Linux 4.9'],
    ['tls.subject', 'CN=192.0.2.10,OU=IPC,O=QuokkaVision,C=CN'],
    ['tls.issuer', 'CN=QuokkaVision Root CA,C=CN'],
    ['mdns.txt', 'manufacturer=QuokkaVision'],
    ['http.header.server', 'QuokkaVision-Webs/2.1'],
    ['http.title', 'QuokkaVision Web Client'],
    ['rtsp.auth.realm', 'QuokkaVision RTSP'],
    ['doc.manufacturer', 'QuokkaVision'],
    ['doc.namespace', 'http://www.quokkavision.example/ver10/XMLSchema'],
    ['mac.oui.org', 'Shenzhen QuokkaVision Intelligent Co.,Ltd'],
  ])('%s = %j names it', (field, value) => {
    expect(makerOf([obs(field, value)])).toBe('quokkavision');
  });

  it('reads mDNS TXT only under keys that name a vendor', () => {
    expect(makerOf([obs('mdns.txt', 'note=QuokkaVision')])).toBeUndefined();
  });

  it('never reads an ordinary-word name inside free text, only as a whole maker field', () => {
    expect(makerOf([obs('ssdp.header.server', 'Linux/4.1 UPnP/1.0 Ring/2.0')])).toBeUndefined();
    const ring = analyse([obs('upnp.manufacturer', 'Ring')], knowledge).devices[0];
    expect(ring?.maker).toBe('ring');
  });

  it('names no maker when one banner names two unrelated makers', () => {
    expect(makerOf([obs('http.title', 'Hikvision and Dahua compatibility list')])).toBeUndefined();
    expect(makerOf([obs('http.title', 'Dahua Uniview comparison')])).toBeUndefined();
  });

  it('names nothing from a name that is only part of a word', () => {
    expect(makerOf([obs('http.title', 'Hikvisionary blog')])).toBeUndefined();
  });
});

describe('with the built-in library and policy', () => {
  const vendors = loadVendors();
  const k = { library: loadLibrary(), vendors, policies: [loadPolicy('uk-nil-2022', vendors)] };

  it('ONVIF Manufacturer "UNIVIEW" and "Uniview" name Uniview (the issue\'s first class of miss)', () => {
    for (const v of ['UNIVIEW', 'Uniview', 'Zhejiang Uniview Technologies Co., Ltd.']) {
      expect(analyse([obs('onvif.device.manufacturer', v)], k).devices[0]?.maker).toBe('uniview');
    }
  });

  it('a stated brand stays a brand: UPnP "Amcrest" is brand amcrest, maker dahua, and restricted', () => {
    const a = analyse([obs('upnp.manufacturer', 'AMCREST'), obs('tcp.open_port', '554')], k);
    expect(a.devices[0]).toMatchObject({ brand: 'amcrest', maker: 'dahua' });
    expect(a.findings.map((f) => f.severity)).toContain('restricted');
  });

  it("a diversified brand's name alone infers no maker; with camera evidence it does", () => {
    const alone = analyse([obs('upnp.manufacturer', 'Honeywell')], k);
    expect(alone.devices[0]?.maker).toBeUndefined();
    expect(alone.devices[0]?.notes.join(' ')).toMatch(/nothing here says camera/);
    expect(alone.findings).toEqual([]);
    const camera = analyse([obs('upnp.manufacturer', 'Honeywell'), obs('tcp.open_port', '554')], k);
    expect(camera.devices[0]?.maker).toBe('dahua');
  });

  it('one fact is one piece of evidence: a fingerprint on the same value wins over the stated name', () => {
    const ids = analyse([obs('onvif.device.manufacturer', 'HIKVISION')], k).devices[0]?.identifications ?? [];
    expect(ids.filter((i) => i.maker === 'hikvision')).toHaveLength(1);
  });

  it('Microsoft in a software banner names no hardware maker', () => {
    expect(analyse([obs('ftp.banner', '220 Microsoft FTP Service')], k).devices[0]?.maker).toBeUndefined();
  });
});

describe('a model read from a banner that names its maker', () => {
  const vendors = loadVendors();
  const k = { library: loadLibrary(), vendors, policies: [] };
  const deviceOf = (field: string, value: string) => analyse([obs(field, value)], k).devices[0];

  // Each value is a public example: Sony's FTP greeting form (zmap/ztag Censys device records), a
  // Huawei VRP sysDescr (LibreNMS test data form), a Dell switch sysDescr (xCAT switchdiscover docs).
  it.each([
    ['ftp.banner', '220-Sony Network Camera SNC-EP520', 'SNC-EP520'],
    ['snmp.sys_descr', 'Dell Networking N1548, 6.3.3.10, Linux 3.6.5', 'N1548'],
    ['http.title', 'KONICA MINOLTA bizhub C454e', 'bizhub C454e'],
  ])('%s %j → model %s', (field, value, model) => {
    expect(deviceOf(field, value)?.model).toBe(model);
  });

  it('never takes a version, an address or a MAC for a model', () => {
    expect(
      deviceOf('snmp.sys_descr', 'Huawei Versatile Routing Platform Software V5.170 10.0.0.1')?.model,
    ).toBeUndefined();
    expect(deviceOf('ftp.banner', '220 Sony ACCC8E78B977 ready')?.model).toBeUndefined();
    // A Dell printer's FTP greeting (zmap/ztag Censys records) opens with ET + its MAC.
    expect(
      deviceOf('ftp.banner', '220 ET00040009BD28 Dell Laser Printer 5310n FTP Server NS.NP.N224 ready.')
        ?.model,
    ).toBe('5310n');
  });
});
