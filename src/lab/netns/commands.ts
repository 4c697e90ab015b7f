/** Running `ip` and friends for the netns lab: argument arrays, never a shell; one-line errors. */
import { type ChildProcess, spawn } from 'node:child_process';
import { CamsweepError } from '../../core/errors.ts';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion without a shell; never rejects for a non-zero exit. */
export function run(
  command: string,
  args: string[],
  opts: { input?: string; timeoutMs?: number; track?: Set<ChildProcess> } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    opts.track?.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            child.kill('SIGKILL');
          }, opts.timeoutMs);
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      opts.track?.delete(child);
      reject(err);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      opts.track?.delete(child);
      resolve({ code, stdout, stderr });
    });
    // EPIPE when the command exits before reading stdin is reported through 'close' anyway.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/** First meaningful stderr line, so errors stay one line. */
export function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? ''
  );
}

/** Runs `ip …` and throws a one-line Error on failure. */
export async function ip(args: string[], input?: string): Promise<string> {
  const res = await run(
    'ip',
    args,
    input === undefined ? { timeoutMs: 20_000 } : { input, timeoutMs: 20_000 },
  );
  if (res.code !== 0) {
    const what = input === undefined ? args.join(' ') : `${args.join(' ')} (batch)`;
    throw new Error(`ip ${what}: ${firstLine(res.stderr) || `exit ${String(res.code)}`}`);
  }
  return res.stdout;
}

/** Runs `sysctl -q -w <settings…>` inside namespace `ns`. */
export function sysctlIn(ns: string, settings: string[]): Promise<RunResult> {
  return run('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', ...settings], { timeoutMs: 10_000 });
}

function parseNetnsList(text: string): string[] {
  // Lines look like "name" or "name (id: 3)".
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n.length > 0);
}

export async function listNamespaces(): Promise<string[]> {
  return parseNetnsList(await ip(['netns', 'list']));
}

export function labError(message: string, context: Record<string, unknown> = {}): CamsweepError {
  return new CamsweepError('LAB', message.replace(/\s*\n\s*/g, '; '), context);
}
