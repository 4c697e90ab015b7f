import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/core/paths.ts';

export const BIN = join(PACKAGE_ROOT, 'bin', 'camsweep.mjs');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (bin/camsweep.mjs) as a user would, optionally inside a network namespace. */
export function startCli(
  args: string[],
  opts: { namespace?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
) {
  const [cmd, argv] = opts.namespace
    ? ['ip', ['netns', 'exec', opts.namespace, process.execPath, BIN, ...args]]
    : [process.execPath, [BIN, ...args]];
  const child: ChildProcess = spawn(cmd, argv, {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  if (opts.input !== undefined) child.stdin?.end(opts.input);
  else child.stdin?.end();
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, output: () => ({ stdout, stderr }) };
}

export function runCli(
  args: string[],
  opts: { namespace?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
) {
  return startCli(args, opts).done;
}
