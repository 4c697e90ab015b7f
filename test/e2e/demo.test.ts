import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { readValidEvents } from './expectations.ts';

const dir = mkdtempSync(join(tmpdir(), 'camsweep-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// `npm run demo` is the README's first command: it must work as the user runs it (netns lab as
// root, loopback lab otherwise), print the table and write every report format.
describe('camsweep demo', () => {
  it('sweeps the built-in lab, prints devices and findings, and writes every report', async () => {
    const out = join(dir, 'demo');
    const r = await runCli(['demo', '--dir', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Devices (15)');
    expect(r.stdout).toContain('Findings (9)');
    expect(r.stdout).toContain('Amcrest (made by Dahua)');
    for (const f of ['sweep.jsonl', 'exchanges.jsonl', 'report.txt', 'report.csv', 'report.html']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const events = readValidEvents(join(out, 'sweep.jsonl'));
    expect(events.filter((e) => e.type === 'finding')).toHaveLength(9);
    expect(readFileSync(join(out, 'report.csv'), 'utf8').startsWith('\ufeffsite,device,')).toBe(true);
    expect(r.stderr).toMatch(process.getuid?.() === 0 ? /netns lab/ : /loopback lab/);
  });
});
