import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const RECORDED = join(import.meta.dirname, '../../fixtures/recorded');

/**
 * The exchanges a demo sweep of the lab recorded (`scan --record`), re-identified offline. The
 * events must stay byte-identical across refactors: a change here is a change users see in
 * `identify --from`. When a fingerprint or vendors.yaml change is meant to alter them, review the
 * diff and update the golden file with `npx vitest run test/e2e/identify-golden.test.ts -u`.
 */
describe('identify --from the demo recording', () => {
  it('gives the same events, byte for byte', async () => {
    const r = await runCli(['identify', '--from', join(RECORDED, 'demo-exchanges.jsonl')]);
    expect(r.stderr).toBe('');
    await expect(r.stdout).toMatchFileSnapshot(join(RECORDED, 'demo-identify.jsonl'));
  });
});
