import { renderCsv } from '../../report/csv.ts';
import type { EventSet, SummaryEvent } from '../../report/events.ts';
import { renderHtml } from '../../report/html.ts';
import { renderTable } from '../../report/table.ts';
import type { EventWriter } from './event-writer.ts';

/** The whole-sweep report on stdout (table, CSV or HTML), written once the summary is known. */
export class ReportWriter implements EventWriter {
  constructor(
    private readonly format: 'table' | 'csv' | 'html',
    private readonly found: EventSet,
    /** A vendor's display name, by vendor id. */
    private readonly names: (vendorId: string) => string,
  ) {}

  close(summary: SummaryEvent): void {
    const set = this.found;
    if (this.format === 'table') {
      set.summary = summary;
      process.stdout.write(renderTable(set, { colour: !!process.stdout.isTTY, names: this.names }));
    } else if (this.format === 'csv') {
      process.stdout.write(renderCsv(set));
    } else {
      set.summary = summary;
      process.stdout.write(renderHtml(set, { generatedAt: summary.finishedAt, names: this.names }));
    }
  }
}
