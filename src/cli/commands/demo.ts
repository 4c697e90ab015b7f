import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { CamsweepError } from '../../core/errors.ts';
import { PACKAGE_ROOT } from '../../core/paths.ts';
import { type LabModeChoice, resolveMode, startLab } from './lab.ts';
import { renderReport } from './report.ts';
import { runScan, type ScanOptions, scanCommand } from './scan.ts';

const BIN = join(PACKAGE_ROOT, 'bin', 'camsweep.mjs');

/**
 * The quick-start: start the built-in lab, sweep it, print the devices and findings, write every
 * report format to ./camsweep-demo/, stop the lab. It only ever touches the lab's own addresses.
 */
export function demoCommand(): Command {
  return new Command('demo')
    .description('sweep the built-in lab and write every report to ./camsweep-demo/')
    .addOption(
      new Option('--mode <mode>', 'lab mode (auto: netns as root, else loopback)')
        .choices(['auto', 'loopback', 'netns'])
        .default('auto'),
    )
    .option('--dir <dir>', 'where to write the results', 'camsweep-demo')
    .addHelpText('after', '\nExample:\n  npm run demo            # or: npx camsweep demo --mode loopback\n')
    .action(async (opts: { mode: LabModeChoice; dir: string }) => {
      const dir = resolve(opts.dir);
      mkdirSync(dir, { recursive: true });
      const mode = resolveMode(opts.mode);
      process.stderr.write(`starting the ${mode} lab…\n`);
      const lab = await startLab(mode);
      const sweepFile = join(dir, 'sweep.jsonl');
      const exchangesFile = join(dir, 'exchanges.jsonl');
      let code: number;
      try {
        const args = [
          ...lab.targets,
          ...lab.scanArgs,
          '--out',
          sweepFile,
          '--record',
          exchangesFile,
          '--quiet',
        ];
        process.stderr.write(`sweeping ${lab.targets.join(' ')} (${lab.personas.length} lab devices)…\n`);
        if (lab.scannerNamespace) {
          // netns: the scanner runs inside the lab's scanner namespace, never in the root namespace.
          code = await runChild('ip', [
            'netns',
            'exec',
            lab.scannerNamespace,
            process.execPath,
            BIN,
            'scan',
            ...args,
          ]);
        } else {
          code = await runScanFromArgs(args);
        }
      } finally {
        await lab.stop();
      }
      if (code !== 0) throw new CamsweepError('INTERNAL', `the demo sweep exited with ${code}`);
      const table = renderReport(sweepFile, 'table', { colour: !!process.stdout.isTTY });
      writeFileSync(join(dir, 'report.txt'), renderReport(sweepFile, 'table'));
      writeFileSync(join(dir, 'report.csv'), renderReport(sweepFile, 'csv', { bom: true }));
      writeFileSync(join(dir, 'report.html'), renderReport(sweepFile, 'html'));
      process.stdout.write(table);
      process.stdout.write(
        `\nWritten to ${opts.dir}/: sweep.jsonl (events), exchanges.jsonl (raw exchanges), report.txt, report.csv, report.html\n` +
          `Re-render any time: npx camsweep report --from ${opts.dir}/sweep.jsonl --format csv\n`,
      );
    });
}

/** Parses the same options `camsweep scan` takes, then runs it in this process. */
async function runScanFromArgs(args: string[]): Promise<number> {
  let code = 0;
  const cmd = scanCommand().exitOverride();
  cmd.action(async (targets: string[], o: ScanOptions) => {
    code = await runScan(targets, { ...o, commandLine: `camsweep scan ${args.join(' ')}` });
  });
  await cmd.parseAsync(args, { from: 'user' });
  return code;
}

function runChild(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolvePromise(code ?? (signal ? 128 : 1)));
  });
}
