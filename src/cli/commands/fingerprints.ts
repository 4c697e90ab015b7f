import { Command, Option } from 'commander';
import { CamsweepError } from '../../core/errors.ts';
import { matchValue } from '../../fingerprints/identify.ts';
import { loadLibrary } from '../../fingerprints/load.ts';
import { verifyLibrary } from '../../fingerprints/verify.ts';
import { isField } from '../../observations/fields.ts';
import { clean } from '../../report/table.ts';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function fingerprintsCommand(): Command {
  const cmd = new Command('fingerprints').description('check, list and try the fingerprint library');
  cmd
    .command('verify')
    .description('check every fingerprint file: schema, fields, ids, patterns, examples, negatives')
    .addHelpText('after', '\nExample:\n  camsweep fingerprints verify\n')
    .action(() => {
      const r = verifyLibrary();
      for (const e of r.errors) process.stderr.write(`${e}\n`);
      const line = `${r.fingerprints} fingerprints in ${r.files} files, ${r.examples} examples, ${r.negatives} negatives: `;
      process.stdout.write(`${line}${r.errors.length === 0 ? 'ok' : `${r.errors.length} problems`}\n`);
      if (r.errors.length > 0) process.exitCode = 2;
    });
  cmd
    .command('list')
    .description('list fingerprints')
    .option('--maker <id>', 'only fingerprints that name this maker or brand')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .addHelpText('after', '\nExample:\n  camsweep fingerprints list --maker hikvision\n')
    .action((opts: { maker?: string; format: 'table' | 'json' }) => {
      const lib = loadLibrary();
      const rows = lib.files
        .flatMap((f) => f.fingerprints)
        .filter((fp) => !opts.maker || fp.set.maker === opts.maker || fp.set.brand === opts.maker);
      if (opts.format === 'json') {
        const data = rows.map(({ regex: _r, ...rest }) => rest);
        process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
        return;
      }
      for (const fp of rows) {
        const set = Object.entries(fp.set)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
        process.stdout.write(`${fp.id.padEnd(36)} ${fp.field.padEnd(26)} ${set}\n`);
      }
      process.stdout.write(`${rows.length} fingerprints\n`);
    });
  cmd
    .command('match')
    .description('match values from stdin (one per line) against one field and explain the result')
    .argument('<field>', 'an observation field, e.g. http.header.server')
    .addHelpText(
      'after',
      "\nExample:\n  echo 'DNVRS-Webs' | camsweep fingerprints match http.header.server\n",
    )
    .action(async (field: string) => {
      if (!isField(field)) throw new CamsweepError('USAGE', `unknown field "${field}"`);
      const lib = loadLibrary();
      const text = await readStdin();
      const values = text
        .split('\n')
        .map((l) => l.replace(/\r$/, ''))
        .filter((l) => l.length > 0);
      if (values.length === 0) throw new CamsweepError('USAGE', 'nothing on stdin: pipe one value per line');
      let misses = 0;
      for (const v of values) {
        const m = matchValue(lib.byField.get(field) ?? [], v);
        if (!m) {
          misses += 1;
          process.stdout.write(`"${clean(v, 200)}": no match\n`);
          continue;
        }
        const set = Object.entries(m.claims)
          .map(([k, x]) => `${k}=${x}`)
          .join(' ');
        process.stdout.write(
          `"${clean(v, 200)}": ${m.fingerprint.id} (${m.fingerprint.file}:${m.fingerprint.line}) sets ${set} ` +
            `certainty ${m.fingerprint.certainty}\n  pattern ${m.fingerprint.pattern}\n  why: ${m.fingerprint.provenance}\n`,
        );
      }
      if (misses === values.length) process.exitCode = 1;
    });
  return cmd;
}
