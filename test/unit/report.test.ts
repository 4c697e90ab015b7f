import { describe, expect, it } from 'vitest';
import type { Device } from '../../src/core/device.ts';
import type { Finding } from '../../src/core/finding.ts';
import type { Observation } from '../../src/core/observation.ts';
import { loadLibrary } from '../../src/fingerprints/load.ts';
import { loadVendors } from '../../src/fingerprints/vendors.ts';
import { analyse } from '../../src/pipeline/analyse.ts';
import { loadPolicy } from '../../src/policy/load.ts';
import { csvCell, renderCsv } from '../../src/report/csv.ts';
import type { EventSet } from '../../src/report/events.ts';
import { clean, renderTable } from '../../src/report/table.ts';

const ESC = '\u001b';

function device(over: Partial<Device> = {}): Device {
  return {
    type: 'device',
    schemaVersion: 1,
    id: 'ip-10.0.0.1',
    addresses: ['10.0.0.1'],
    ports: [80],
    maker: 'hikvision',
    model: 'DS-2CD2385G1-I',
    firmware: 'V5.6.2',
    deviceType: 'camera',
    certainty: 0.99,
    identifications: [],
    conflicts: [],
    notes: [],
    ...over,
  };
}

/** A device with no maker, whose first note is shown as its verdict. */
function unidentified(note: string): Device {
  const { maker: _maker, ...rest } = device({ id: 'ip-10.0.0.2', addresses: ['10.0.0.2'], notes: [note] });
  return rest;
}

function finding(over: Partial<Finding> = {}): Finding {
  return {
    type: 'finding',
    schemaVersion: 1,
    device: 'ip-10.0.0.1',
    addresses: ['10.0.0.1'],
    policy: 'uk-nil-2022',
    rule: 'named-prc-makers',
    severity: 'restricted',
    confidence: 'confirmed',
    maker: 'hikvision',
    lineage: 'Hikvision',
    basis: 'basis',
    action: 'action',
    evidence: [
      {
        field: 'http.header.server',
        value: 'App-webs/',
        host: '10.0.0.1',
        port: 80,
        fingerprint: 'hikvision-app-webs',
        says: 'maker=hikvision',
      },
    ],
    ...over,
  };
}

describe('csvCell: spreadsheet formula injection', () => {
  it.each([["=cmd|' /C calc'!A0"], ['+1'], ['-1'], ['@SUM(1)'], ['=HYPERLINK("http://evil.example/","x")']])(
    '%j is not a formula any more',
    (value) => {
      const cell = csvCell(value);
      // The cell's text (after CSV unquoting) starts with an apostrophe, so no spreadsheet evaluates it.
      const text = cell.startsWith('"') ? cell.slice(1, -1).replaceAll('""', '"') : cell;
      expect(text).toBe(`'${value}`);
    },
  );

  it('a tab- or CR-leading value is neutralised too', () => {
    expect(csvCell('\t=1+1')).toBe("'\t=1+1");
    expect(csvCell('\r=1+1')).toBe('"\'\r=1+1"');
  });

  it('terminal escapes and other control characters do not reach the cell (issue #11 item 7)', () => {
    expect(csvCell('\x1b]0;pwned\x07App-webs/')).toBe('\ufffd]0;pwned\ufffdApp-webs/');
    expect(csvCell('a\u0085b\u0000c')).toBe('a\ufffdb\ufffdc');
  });

  it('ordinary values are left alone', () => {
    expect(csvCell('App-webs/')).toBe('App-webs/');
    expect(csvCell('0.95')).toBe('0.95');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(undefined)).toBe('');
  });
});

describe('csvCell: RFC 4180 quoting', () => {
  it('quotes commas, doubles quotes, keeps newlines inside quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line1\nline2')).toBe('"line1\nline2"');
    expect(csvCell('line1\r\nline2')).toBe('"line1\r\nline2"');
  });

  it('keeps leading and trailing spaces by quoting them', () => {
    expect(csvCell(' padded ')).toBe('" padded "');
  });
});

describe('renderCsv', () => {
  it('has a header row, one row per device and CRLF line ends', () => {
    const set: EventSet = {
      devices: [
        device(),
        device({ id: 'ip-10.0.0.2', addresses: ['10.0.0.2'], maker: 'axis', model: 'M2036-LE' }),
      ],
      findings: [finding()],
    };
    const csv = renderCsv(set);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
    const rows = csv.split('\r\n');
    expect(rows).toHaveLength(4);
    expect(rows[0]).toBe(
      'site,device,addresses,mac,maker,brand,model,firmware,serial,device_type,certainty,ports,verdict,confidence,policy,rule,lineage,evidence',
    );
    expect(rows[1]).toMatch(/^,ip-10\.0\.0\.1,10\.0\.0\.1,,hikvision,.*,restricted,confirmed,uk-nil-2022,/);
    expect(rows[2]).toMatch(/^,ip-10\.0\.0\.2,10\.0\.0\.2,,axis,.*,none,/);
  });

  it('a device-controlled model cannot become a formula', () => {
    const csv = renderCsv({
      devices: [device({ model: '=HYPERLINK("http://evil.example/")' })],
      findings: [],
    });
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example/"")"`);
    expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
  });

  it('starts with a BOM only when asked', () => {
    expect(renderCsv({ devices: [], findings: [] }).startsWith('\ufeff')).toBe(false);
    expect(renderCsv({ devices: [], findings: [] }, { bom: true }).startsWith('\ufeffsite,device,')).toBe(
      true,
    );
  });
});

describe('table: device strings cannot drive the terminal', () => {
  it('clean() strips ANSI escapes, C0/C1 controls and bidi overrides', () => {
    const out = clean('Hik\u001b[31mRED\u0007\u009b2J\u202eevil\r\n', 100);
    const controls = [...out].filter((ch) => {
      const c = ch.charCodeAt(0);
      return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e);
    });
    expect(controls).toEqual([]);
    expect(out).toContain('Hik');
    expect(out).toContain('evil');
  });

  it('clean() cuts long strings to the given width', () => {
    const out = clean('x'.repeat(100), 10);
    expect(out).toHaveLength(10);
    expect(out.endsWith('…')).toBe(true);
  });

  it('renderTable with colour off writes no escape sequence, whatever the device sent', () => {
    const evil = `${ESC}[31mRED${ESC}[0m${ESC}]0;pwned\u0007`;
    const set: EventSet = {
      devices: [device({ model: `DS-${evil}`, firmware: evil, notes: [evil] }), unidentified(evil)],
      findings: [
        finding({
          model: evil,
          lineage: `Hikvision ${evil}`,
          evidence: [
            {
              field: 'http.header.server',
              value: `App-webs/${evil}`,
              host: '10.0.0.1',
              port: 80,
              fingerprint: 'hikvision-app-webs',
              says: `maker=hikvision firmware=${evil}`,
            },
          ],
        }),
      ],
    };
    const out = renderTable(set, { colour: false });
    expect(out).toContain('10.0.0.1');
    expect(out).toContain('10.0.0.2');
    expect(out).not.toContain(ESC);
    expect(out).not.toContain('\u0007');
  });

  it('a banner with an escape sequence, end to end through analyse, never reaches the table', () => {
    const vendors = loadVendors();
    const evidence: Observation[] = [
      {
        type: 'observation',
        host: '10.0.0.9',
        port: 80,
        field: 'http.header.server',
        value: `Hikvision-Webs/${ESC}[2J${ESC}[31mV5`,
      },
    ];
    const a = analyse(evidence, {
      library: loadLibrary(),
      vendors,
      policies: [loadPolicy('uk-nil-2022', vendors)],
    });
    expect(a.findings).toHaveLength(1);
    const out = renderTable(
      { devices: a.devices, findings: a.findings },
      { colour: false, names: vendors.name },
    );
    expect(out).toContain('Hikvision');
    expect(out).not.toContain(ESC);
  });
});
