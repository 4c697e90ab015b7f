/**
 * Removing labs: namespaces of this process's live topologies on exit, and any lab's namespaces
 * on request, ending the processes still inside them first.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { labError, listNamespaces, run } from './commands.ts';

/** Topologies not yet destroyed, so a process exit still removes their namespaces. */
export const live = new Set<{ namespaces: readonly string[]; children: Set<ChildProcess> }>();
let exitHookInstalled = false;

export function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous, hence spawnSync. Best effort: errors are ignored.
  process.on('exit', () => {
    for (const t of live) {
      for (const c of t.children) c.kill('SIGKILL');
      const input = t.namespaces.map((ns) => `netns del ${ns}`).join('\n');
      spawnSync('ip', ['-force', '-batch', '-'], {
        input,
        stdio: ['pipe', 'ignore', 'ignore'],
        timeout: 5000,
      });
    }
  });
}

async function killNamespaceProcesses(namespaces: readonly string[]): Promise<void> {
  // A namespace with a process still inside survives `ip netns del` (only the name goes away), so
  // stray processes of the lab (e.g. grandchildren of spawned commands) are ended by PID first.
  await Promise.all(
    namespaces.map(async (ns) => {
      const res = await run('ip', ['netns', 'pids', ns], { timeoutMs: 5000 });
      if (res.code !== 0) return;
      for (const pid of res.stdout.split('\n').map((l) => Number(l.trim()))) {
        if (Number.isInteger(pid) && pid > 1 && pid !== process.pid) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
    }),
  );
}

export async function deleteNamespaces(targets: readonly string[]): Promise<string[]> {
  const existing = new Set(await listNamespaces());
  const present = targets.filter((ns) => existing.has(ns));
  if (present.length === 0) return [];
  await killNamespaceProcesses(present);
  // -force: keep going after one failure so a single stuck namespace doesn't strand the others.
  await run('ip', ['-force', '-batch', '-'], {
    input: `${present.map((ns) => `netns del ${ns}`).join('\n')}\n`,
    timeoutMs: 20_000,
  });
  const after = new Set(await listNamespaces());
  const stuck = present.filter((ns) => after.has(ns));
  if (stuck.length > 0) throw labError(`could not delete namespaces: ${stuck.join(', ')}`, { stuck });
  return present;
}

export async function stopChildren(children: Set<ChildProcess>): Promise<void> {
  const waits = [...children].map(
    (c) =>
      new Promise<void>((resolve) => {
        if (c.exitCode !== null || c.signalCode !== null) {
          resolve();
          return;
        }
        const force = setTimeout(() => c.kill('SIGKILL'), 1000);
        c.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        c.kill('SIGTERM');
      }),
  );
  await Promise.all(waits);
  children.clear();
}
