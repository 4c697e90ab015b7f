/**
 * Entry point for one persona inside a network namespace (netns lab): the lab spawns
 * `ip netns exec <ns> node --import tsx src/lab/serve.ts <persona-dir> <address>`.
 * It prints "ready" once listening and exits on SIGTERM or after its lifetime.
 */
import { loadPersona } from './persona.ts';
import { startPersona } from './services.ts';

const [dir, address, lifetime = '3600000'] = process.argv.slice(2);
if (!dir || !address) {
  process.stderr.write('usage: serve.ts <persona-dir> <address> [lifetime-ms]\n');
  process.exit(2);
}
try {
  const running = await startPersona(loadPersona(dir), address, { mode: 'netns', wsdPort: 3702 });
  process.stdout.write('ready\n');
  const stop = async () => {
    await running.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  setTimeout(stop, Number(lifetime)).unref();
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
