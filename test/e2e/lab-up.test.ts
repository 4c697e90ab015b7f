import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.ts';

describe('camsweep lab up (loopback)', () => {
  it('prints a scan command that finds its personas, and stops cleanly on SIGTERM', async () => {
    const lab = startCli([
      'lab',
      'up',
      '--mode',
      'loopback',
      '--base',
      '127.79.2.10',
      '--personas',
      'hikvision,axis',
    ]);
    let printed = '';
    for (let i = 0; i < 300 && !printed.includes('Ctrl-C'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      printed = lab.output().stdout;
    }
    expect(printed).toContain('127.79.2.10');
    expect(printed).toContain('127.79.2.11');
    const command = printed.split('\n').find((l) => l.trim().startsWith('npx camsweep scan'));
    expect(command).toBeDefined();
    const args = (command ?? '').trim().split(/\s+/).slice(2);
    const scan = await runCli([...args, '--format', 'jsonl']);
    expect(scan.code).toBe(0);
    const findings = scan.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; maker?: string; addresses?: string[] })
      .filter((e) => e.type === 'finding');
    expect(findings.map((f) => [f.maker, f.addresses?.[0]])).toEqual([['hikvision', '127.79.2.10']]);
    lab.child.kill('SIGTERM');
    const r = await lab.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('lab stopped');
    // The addresses are free again: a second lab can take them.
    const again = startCli([
      'lab',
      'up',
      '--mode',
      'loopback',
      '--base',
      '127.79.2.10',
      '--personas',
      'hikvision',
    ]);
    for (let i = 0; i < 300 && !again.output().stdout.includes('Ctrl-C'); i++)
      await new Promise((res) => setTimeout(res, 100));
    again.child.kill('SIGINT');
    expect((await again.done).code).toBe(0);
  });
});
