import { Command, Option } from 'commander';
import { type LabHandle, startLoopbackLab, startNetnsLab, waitForSignal } from '../../lab/lab.ts';
import { cleanupLabs } from '../../lab/netns.ts';
import { listPersonas, selectPersonas } from '../../lab/persona.ts';
import { collectList } from '../options.ts';

export type LabModeChoice = 'auto' | 'loopback' | 'netns';

export function resolveMode(choice: LabModeChoice): 'loopback' | 'netns' {
  if (choice !== 'auto') return choice;
  return process.getuid?.() === 0 ? 'netns' : 'loopback';
}

export async function startLab(
  mode: 'loopback' | 'netns',
  personaIds?: string[],
  base?: string,
  layout: 'single' | 'segments' = 'single',
): Promise<LabHandle> {
  const personas = selectPersonas(listPersonas(), personaIds);
  return mode === 'netns'
    ? startNetnsLab({ personas, layout })
    : startLoopbackLab({ personas, ...(base ? { base } : {}) });
}

export function scanCommandLine(lab: LabHandle): string {
  const scan = `camsweep scan ${lab.targets.join(' ')} ${lab.scanArgs.join(' ')}`;
  return lab.scannerNamespace ? `ip netns exec ${lab.scannerNamespace} npx ${scan}` : `npx ${scan}`;
}

export function labCommand(): Command {
  const cmd = new Command('lab').description(
    'the simulated camera lab: personas rebuilt from public device evidence',
  );
  cmd
    .command('up')
    .description('start the lab, print its targets and the scan command, run until Ctrl-C')
    .addOption(
      new Option('--mode <mode>', 'loopback (any user) or netns (root: namespaces, real multicast)')
        .choices(['auto', 'loopback', 'netns'])
        .default('auto'),
    )
    .option('--personas <ids>', 'comma-separated persona ids (default: all)', collectList)
    .option('--base <address>', 'loopback mode: the first persona address', '127.77.0.10')
    .addOption(
      new Option('--layout <layout>', 'netns mode: one segment, or two segments plus one behind a router')
        .choices(['single', 'segments'])
        .default('single'),
    )
    .addHelpText('after', '\nExample:\n  camsweep lab up --mode loopback --personas hikvision,axis\n')
    .action(
      async (opts: {
        mode: LabModeChoice;
        personas?: string[];
        base: string;
        layout: 'single' | 'segments';
      }) => {
        const lab = await startLab(resolveMode(opts.mode), opts.personas, opts.base, opts.layout);
        process.stdout.write(`camsweep lab (${lab.mode}) is up:\n`);
        for (const p of lab.personas) {
          process.stdout.write(
            `  ${p.address.padEnd(15)} ${p.persona.name}  [expect: ${p.persona.expect.finding}]\n`,
          );
        }
        process.stdout.write(
          `\nSweep it with:\n  ${scanCommandLine(lab)}\n\nCtrl-C stops the lab and removes everything it created.\n`,
        );
        await waitForSignal();
        await lab.stop();
        process.stdout.write('lab stopped\n');
      },
    );
  cmd
    .command('down')
    .description('remove namespaces and links a crashed netns lab left behind (all carry the csw- prefix)')
    .addHelpText('after', '\nExample:\n  sudo camsweep lab down\n')
    .action(async () => {
      const removed = await cleanupLabs();
      process.stdout.write(removed.length ? `removed: ${removed.join(', ')}\n` : 'nothing to remove\n');
    });
  return cmd;
}
