import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { CamsweepError } from '../../core/errors.ts';
import { loadVendors } from '../../fingerprints/vendors.ts';
import { renderCsv } from '../../report/csv.ts';
import { collect } from '../../report/events.ts';
import { renderHtml } from '../../report/html.ts';
import { readEvents, renderJsonl } from '../../report/jsonl.ts';
import { renderTable } from '../../report/table.ts';

export const REPORT_FORMATS = ['table', 'jsonl', 'csv', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Pure rendering of a recorded event stream, shared by `report` and the demo. */
export function renderReport(
  path: string,
  format: ReportFormat,
  opts: { bom?: boolean; colour?: boolean } = {},
): string {
  const events = readEvents(path);
  if (events.length === 0) throw new CamsweepError('BAD_FILE', `${path}: no camsweep events in it`);
  const set = collect(events);
  if (format === 'jsonl') return renderJsonl(events);
  if (format === 'csv') return renderCsv(set, opts.bom ? { bom: true } : {});
  if (format === 'html')
    return renderHtml(set, { generatedAt: new Date().toISOString(), names: loadVendors().name });
  return renderTable(set, { colour: opts.colour ?? false, names: loadVendors().name });
}

export function reportCommand(): Command {
  return new Command('report')
    .description('render a past sweep (its --out JSONL) as a table, CSV, HTML or JSONL')
    .requiredOption('--from <file>', 'the JSONL event file a scan wrote with --out')
    .addOption(new Option('--format <format>', 'output format').choices([...REPORT_FORMATS]).default('table'))
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--bom', 'start CSV output with a UTF-8 byte-order mark (for Excel)')
    .addHelpText(
      'after',
      '\nExample:\n  camsweep report --from sweep.jsonl --format csv --bom --out assets.csv\n',
    )
    .action((opts: { from: string; format: ReportFormat; out?: string; bom?: boolean }) => {
      const text = renderReport(opts.from, opts.format, {
        ...(opts.bom ? { bom: true } : {}),
        colour: !opts.out && !!process.stdout.isTTY,
      });
      if (opts.out) writeFileSync(opts.out, text);
      else process.stdout.write(text);
    });
}
