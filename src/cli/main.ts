import { Command, CommanderError } from 'commander';
import { CamsweepError, isUserError } from '../core/errors.ts';
import { VERSION } from '../core/version.ts';
import { demoCommand } from './commands/demo.ts';
import { fingerprintsCommand } from './commands/fingerprints.ts';
import { identifyCommand } from './commands/identify.ts';
import { labCommand } from './commands/lab.ts';
import { reportCommand } from './commands/report.ts';
import { scanCommand } from './commands/scan.ts';

/** Exit codes (ARCHITECTURE §7): 0 ok, 1 findings at or above --fail-on, 2 usage/config, 3 internal. */
const program = new Command('camsweep')
  .description('camsweep: find restricted-vendor cameras, NVRs and DVRs on your networks, with evidence')
  .version(VERSION)
  .showSuggestionAfterError()
  .addCommand(scanCommand())
  .addCommand(identifyCommand())
  .addCommand(reportCommand())
  .addCommand(fingerprintsCommand())
  .addCommand(labCommand())
  .addCommand(demoCommand())
  .addHelpText('after', '\nExample:\n  camsweep scan 10.20.0.0/24 --out sweep.jsonl\n  camsweep demo\n');

function exitOverrideAll(cmd: Command): void {
  cmd.exitOverride();
  for (const sub of cmd.commands) exitOverrideAll(sub);
}
exitOverrideAll(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander has already printed its one-line message (or the help).
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (isUserError(err)) {
    process.stderr.write(`camsweep: ${err.message}\n`);
    process.exitCode = 2;
  } else if (err instanceof CamsweepError) {
    process.stderr.write(`camsweep: ${err.message}\n`);
    process.exitCode = 3;
  } else {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`camsweep: internal error: ${message}\n`);
    if (process.env.CAMSWEEP_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 3;
  }
}
