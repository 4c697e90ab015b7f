import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'camsweep-cli-'));
  writeFileSync(join(dir, 'empty.txt'), '# only a comment\n\n');
  writeFileSync(join(dir, 'bad.txt'), '127.0.0.1\n# fine so far\n300.1.1.1\n');
  writeFileSync(
    join(dir, 'bad-policy.yaml'),
    'id: mine\ntitle: t\njurisdiction: x\nreference: r\ndate: "2024-01-01"\nrules:\n  - id: a\n    severity: restricted\n    makers: [nosuchmaker]\n    basis: b\n    action: c\n',
  );
  writeFileSync(join(dir, 'typo-policy.yaml'), 'id: mine\ntitel: t\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bad user input: one line naming the problem, exit code 2, never a stack trace, nothing scanned. */
function expectUsageError(r: { code: number | null; stderr: string; stdout: string }, mention: string) {
  expect(r.code).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines.length, r.stderr).toBe(1);
  expect(lines[0]).toContain(mention);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stdout).toBe('');
}

describe('bad input is refused with one clear line and exit code 2', () => {
  it.each([
    [['scan', '300.1.1.1'], '"300.1.1.1" (command line)'],
    [['scan', '10.0.0.0/33'], '"10.0.0.0/33"'],
    [['scan', '1.2.3'], '"1.2.3"'],
    [['scan', '10.0.0.0/8'], '--allow-large'],
    [['scan', '127.0.0.1', '--ports', '80,99999'], '99999'],
    [['scan', '127.0.0.1', '--policy', 'nosuch'], 'unknown policy "nosuch"'],
    [['scan', '127.0.0.1', '--concurrency', 'lots'], '--concurrency'],
    [['scan', '127.0.0.1', '--bogus'], "unknown option '--bogus'"],
    [['scan', '127.0.0.1', '--interface', 'nosuch0'], 'unknown interface "nosuch0"'],
    [['frobnicate'], "unknown command 'frobnicate'"],
    // Issue #11 item 8: an unknown log level was an internal error (exit 3).
    [['scan', '127.0.0.1', '--log-level', 'loud'], "argument 'loud' is invalid"],
  ])('camsweep %j', async (args, mention) => {
    expectUsageError(await runCli(args), mention);
  });

  it('names the file and line of a bad target in a list', async () => {
    expectUsageError(await runCli(['scan', `@${join(dir, 'bad.txt')}`]), 'bad.txt:3');
  });

  it('refuses a missing or empty target file', async () => {
    expectUsageError(await runCli(['scan', `@${join(dir, 'missing.txt')}`]), 'missing.txt');
    expectUsageError(await runCli(['scan', `@${join(dir, 'empty.txt')}`]), 'empty.txt');
  });

  it('names the line of a bad policy file', async () => {
    expectUsageError(
      await runCli(['scan', '127.0.0.1', '--policy', join(dir, 'bad-policy.yaml')]),
      'bad-policy.yaml:9',
    );
    expectUsageError(await runCli(['scan', '127.0.0.1', '--policy', join(dir, 'typo-policy.yaml')]), 'titel');
  });

  it('refuses to re-identify a file that holds no evidence', async () => {
    expectUsageError(await runCli(['identify', '--from', join(dir, 'empty.txt')]), 'empty.txt');
  });
});

describe('help', () => {
  it.each([
    ['scan'],
    ['identify'],
    ['report'],
    ['fingerprints', 'verify'],
    ['fingerprints', 'list'],
    ['fingerprints', 'match'],
    ['lab', 'up'],
    ['lab', 'down'],
    ['demo'],
  ])('camsweep %s --help shows an example and exits 0', async (...cmd) => {
    const r = await runCli([...cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Example');
    expect(r.stdout).toContain(`camsweep ${cmd[0]}`);
  });
});

describe('fingerprints match', () => {
  it('explains what a value matched and what it set', async () => {
    const r = await runCli(['fingerprints', 'match', 'http.header.server'], { input: 'DNVRS-Webs\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('hikvision-dnvrs-webs');
    expect(r.stdout).toContain('maker=hikvision');
    expect(r.stdout).toMatch(/fingerprints\/http\/server\.yaml:\d+/);
  });
  it('says so when nothing matches', async () => {
    const r = await runCli(['fingerprints', 'match', 'http.header.server'], { input: 'nginx/1.24.0\n' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('no match');
  });
});
