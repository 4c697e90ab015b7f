import { Command } from 'commander';
import { CamsweepError } from '../../core/errors.ts';
import { Analyser } from '../../pipeline/analyse.ts';
import { readEvidence } from '../../pipeline/evidence.ts';
import { renderCsv } from '../../report/csv.ts';
import { collect as collectEvents, type SweepEvent } from '../../report/events.ts';
import { renderJsonl } from '../../report/jsonl.ts';
import { renderTable } from '../../report/table.ts';
import { loadKnowledge } from '../knowledge.ts';
import { collect } from '../options.ts';

/** Re-identifies recorded exchanges (`scan --record`) or observation lines with today's fingerprints. */
export function identifyCommand(): Command {
  return new Command('identify')
    .description('identify devices from recorded exchanges or observation lines, offline')
    .requiredOption(
      '--from <file>',
      'a JSONL file of exchange and/or observation lines (e.g. from scan --record)',
    )
    .option('--policy <name|file>', 'policy to apply (repeatable; default uk-nil-2022)', collect)
    .option('--format <format>', 'table, jsonl or csv (default: table on a terminal, else jsonl)')
    .addHelpText(
      'after',
      '\nExample:\n  camsweep identify --from exchanges.jsonl --format jsonl > devices.jsonl\n',
    )
    .action(async (opts: { from: string; policy?: string[]; format?: string }) => {
      const format = opts.format ?? (process.stdout.isTTY ? 'table' : 'jsonl');
      if (!['table', 'jsonl', 'csv'].includes(format)) {
        throw new CamsweepError('USAGE', `unknown --format "${format}" (table, jsonl, csv)`);
      }
      const knowledge = loadKnowledge(opts.policy);
      // Streamed: each line is parsed and identified as it is read, then dropped.
      const analyser = new Analyser(knowledge);
      let read: Awaited<ReturnType<typeof readEvidence>>;
      try {
        read = await readEvidence(opts.from, { onLine: (line) => analyser.add(line) });
      } catch (err) {
        const code = err && typeof err === 'object' && 'code' in err ? String(err.code) : 'error';
        throw new CamsweepError('BAD_FILE', `cannot read "${opts.from}" (${code})`);
      }
      if (read.count === 0) {
        const why = read.rejected[0] ? ` (first problem: ${read.rejected[0]})` : '';
        throw new CamsweepError('BAD_FILE', `${opts.from}: no exchange or observation lines${why}`);
      }
      for (const r of read.rejected) process.stderr.write(`camsweep: skipped ${r}\n`);
      const analysis = analyser.finish();
      const events: SweepEvent[] = [...analysis.devices, ...analysis.findings];
      const set = collectEvents(events);
      if (format === 'jsonl') process.stdout.write(renderJsonl(events));
      else if (format === 'csv') process.stdout.write(renderCsv(set));
      else
        process.stdout.write(
          renderTable(set, { colour: !!process.stdout.isTTY, names: knowledge.vendors.name }),
        );
    });
}
