import type { EventSet } from './events.ts';

export interface CsvOptions {
  /** Excel needs a BOM to read UTF-8. */
  bom?: boolean;
}

/** C0 and C1 controls but tab, CR and LF: a device can put terminal escapes (ESC ] … BEL) in a banner. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/**
 * Neutralises spreadsheet formulas (a device can put "=HYPERLINK(…)" in its banner) and control
 * characters (replaced by U+FFFD, as in the table and HTML reports).
 */
export function csvCell(value: string | number | undefined): string {
  let v = value === undefined ? '' : String(value).replace(CONTROL_CHARS, '\ufffd');
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replaceAll('"', '""')}"` : v;
}

const COLUMNS = [
  'site',
  'device',
  'addresses',
  'mac',
  'maker',
  'brand',
  'model',
  'firmware',
  'serial',
  'device_type',
  'certainty',
  'ports',
  'verdict',
  'confidence',
  'policy',
  'rule',
  'lineage',
  'evidence',
] as const;

/** One row per device (asset registers), RFC 4180, CRLF line ends. */
export function renderCsv(set: EventSet, opts: CsvOptions = {}): string {
  const rows: string[] = [COLUMNS.join(',')];
  for (const d of set.devices) {
    const f = set.findings.find((x) => x.device === d.id);
    const row = [
      d.site,
      d.id,
      d.addresses.join(' '),
      d.mac,
      d.maker,
      d.brand,
      d.model,
      d.firmware,
      d.serial,
      d.deviceType,
      d.maker ? d.certainty.toFixed(2) : '',
      d.ports.join(' '),
      f?.severity ?? 'none',
      f?.confidence,
      f?.policy,
      f?.rule,
      f?.lineage,
      f?.evidence.map((e) => `${e.field}=${e.value}`).join('; '),
    ];
    rows.push(row.map(csvCell).join(','));
  }
  return `${opts.bom ? '\ufeff' : ''}${rows.join('\r\n')}\r\n`;
}
