import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/core/paths.ts';
import { loadVendors } from '../../src/fingerprints/vendors.ts';
import { type LabHandle, startLoopbackLab } from '../../src/lab/lab.ts';
import { listPersonas } from '../../src/lab/persona.ts';
import { collect, type EventSet } from '../../src/report/events.ts';
import { renderHtml } from '../../src/report/html.ts';
import { readEvents } from '../../src/report/jsonl.ts';
import { runCli } from '../helpers/cli.ts';

// The HTML report of a real lab sweep, opened in headless Chromium (Debian `chromium`, driven by
// playwright-core). This file's lab lives on 127.79.5.0/24; other test files use other ranges.
const CHROMIUM = process.env.CAMSWEEP_CHROMIUM ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
const ARTIFACTS = join(PACKAGE_ROOT, 'test', 'artifacts');
const EVIL = '<script>window.__pwned=1</script>';
const EVIL_IMG = '<img src=x onerror="window.__pwned=2">';

/** A <details> is open when it carries the `open` attribute (clicking the summary toggles it). */
async function isOpen(details: Locator): Promise<boolean> {
  return (await details.getAttribute('open')) !== null;
}

if (!HAVE_CHROMIUM && !IN_CI) {
  console.warn(`html-report: ${CHROMIUM} not found, browser test skipped (apt-get install -y chromium)`);
}

describe('HTML report in a real browser', () => {
  it.runIf(!HAVE_CHROMIUM && IN_CI)('Chromium is installed (required in CI)', () => {
    expect.fail(`${CHROMIUM} is missing: .ci/run must apt-get install -y chromium`);
  });

  describe.skipIf(!HAVE_CHROMIUM)('a loopback lab sweep rendered to HTML', () => {
    let lab: LabHandle;
    let dir: string;
    let set: EventSet;
    let context: BrowserContext;
    let page: Page;
    const requests: string[] = [];
    const consoleErrors: string[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'camsweep-html-'));
      lab = await startLoopbackLab({ personas: listPersonas(), base: '127.79.5.10' });
      const out = join(dir, 'sweep.jsonl');
      const r = await runCli(['scan', ...lab.targets, ...lab.scanArgs, '--out', out, '--quiet']);
      expect(r.code, r.stderr).toBe(0);
      set = collect(readEvents(out));

      // A device that puts markup in its strings: it must be shown as text and never run.
      const victim = set.findings[0];
      expect(victim).toBeDefined();
      const dev = set.devices.find((d) => d.id === victim?.device);
      if (!victim || !dev) throw new Error('the lab sweep produced no finding');
      dev.model = EVIL;
      dev.firmware = EVIL_IMG;
      victim.model = EVIL;
      victim.evidence.unshift({
        field: 'http.header.server',
        value: EVIL,
        host: victim.addresses[0] ?? '',
        port: 80,
        fingerprint: 'hostile-banner',
        says: EVIL_IMG,
      });

      const vendors = loadVendors();
      const file = join(dir, 'report.html');
      writeFileSync(
        file,
        renderHtml(set, {
          title: 'camsweep lab sweep',
          generatedAt: '2026-01-01T00:00:00.000Z',
          names: (id) => vendors.name(id),
          fingerprintsVersion: 'test',
        }),
      );

      context = await chromium.launchPersistentContext(join(dir, 'profile'), {
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
        viewport: { width: 1400, height: 1000 },
      });
      page = context.pages()[0] ?? (await context.newPage());
      page.on('request', (req) => requests.push(req.url()));
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      page.on('pageerror', (e) => consoleErrors.push(e.message));
      await page.goto(pathToFileURL(file).href);
    });

    afterAll(async () => {
      await context?.close();
      await lab?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('shows the device and finding counts of the sweep', async () => {
      expect(set.devices.length).toBe(lab.personas.length);
      const restricted = lab.personas.filter((p) => p.persona.expect.finding === 'restricted').length;
      const review = lab.personas.filter((p) => p.persona.expect.finding === 'review').length;
      expect(set.findings.length).toBe(restricted + review);
      expect(await page.locator('#count-devices').textContent()).toBe(String(set.devices.length));
      expect(await page.locator('#count-findings').textContent()).toBe(String(set.findings.length));
      expect(await page.locator('#count-restricted').textContent()).toBe(String(restricted));
      expect(await page.locator('#device-table tbody tr').count()).toBe(set.devices.length);
      expect(await page.locator('details.finding').count()).toBe(set.findings.length);
      expect(
        await page.locator('#policy-summary tr[data-policy="uk-nil-2022"] td').nth(1).textContent(),
      ).toBe(String(restricted));
      expect(await page.locator('#site-summary tbody tr').first().textContent()).toContain('All sites');
      expect(await page.locator('#command').textContent()).toMatch(/^camsweep scan /);
      await expect.poll(() => page.locator('body').textContent()).toContain('Amcrest (made by Dahua)');
    });

    it('expands a finding to its evidence', async () => {
      const first = page.locator('details.finding').first();
      const evidence = first.locator('ul.evidence li').first();
      expect(await evidence.isVisible()).toBe(false);
      await first.locator('summary').click();
      expect(await isOpen(first)).toBe(true);
      await evidence.waitFor({ state: 'visible' });
      expect(await first.locator('ul.evidence li').count()).toBeGreaterThanOrEqual(2);
      expect(await first.locator('ul.evidence').textContent()).toContain('http.header.server');
    });

    it('the device verdict links to its finding and opens it', async () => {
      const second = page.locator('details.finding').nth(1);
      const id = await second.getAttribute('id');
      expect(await isOpen(second)).toBe(false);
      await page.locator(`#device-table a[href="#${id}"]`).click();
      await expect.poll(() => isOpen(second)).toBe(true);
    });

    it('sorts the device table by a column click', async () => {
      const addresses = () => page.locator('#device-table tbody tr td:first-child').allTextContents();
      const numeric = (a: string) =>
        a
          .split('.')
          .map((o) => o.padStart(3, '0'))
          .join('.');
      const sorted = [...(await addresses())].sort((a, b) => numeric(a).localeCompare(numeric(b)));
      await page.locator('#device-table thead th button', { hasText: 'Address' }).click();
      expect(await addresses()).toEqual(sorted);
      await page.locator('#device-table thead th button', { hasText: 'Address' }).click();
      expect(await addresses()).toEqual([...sorted].reverse());
      // By verdict, most serious first on the second click.
      const verdict = page.locator('#device-table thead th button', { hasText: 'Verdict' });
      await verdict.click();
      await verdict.click();
      expect(await page.locator('#device-table tbody tr').first().getAttribute('data-severity')).toBe(
        'restricted',
      );
    });

    it('filters by text and by verdict', async () => {
      const visibleRows = page.locator('#device-table tbody tr:visible');
      await page.locator('#filter-text').fill('amcrest');
      expect(await visibleRows.count()).toBe(1);
      expect(await page.locator('#shown-devices').textContent()).toBe('1');
      expect(await page.locator('details.finding:visible').count()).toBe(1);
      await page.locator('#filter-text').fill('');
      await page.locator('#filter-severity').selectOption('restricted');
      const flagged = new Set(set.findings.filter((f) => f.severity === 'restricted').map((f) => f.device))
        .size;
      expect(await visibleRows.count()).toBe(flagged);
      await page.locator('#filter-severity').selectOption('none');
      // "none": identified, or not a camera, and no finding.
      const cameraTypes = ['camera', 'recorder', 'camera-or-recorder'];
      const none = set.devices.filter(
        (d) =>
          !set.findings.some((f) => f.device === d.id) &&
          (d.maker !== undefined || (d.deviceType !== undefined && !cameraTypes.includes(d.deviceType))),
      );
      expect(none.length).toBeGreaterThan(0);
      expect(await visibleRows.count()).toBe(none.length);
      await page.locator('#filter-severity').selectOption('');
      expect(await visibleRows.count()).toBe(set.devices.length);
      expect(await page.locator('#shown-findings').textContent()).toBe(String(set.findings.length));
    });

    it('never runs device-supplied markup, and shows it as text', async () => {
      expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
      expect(await page.locator('#device-table').textContent()).toContain(EVIL);
      expect(await page.locator('#device-table').textContent()).toContain(EVIL_IMG);
      expect(await page.locator('details.finding').first().textContent()).toContain(EVIL);
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('script').count()).toBe(2);
    });

    it('fetches nothing but the file itself, and the page script runs without CSP errors', () => {
      expect(requests.length).toBeGreaterThan(0);
      for (const url of requests) expect(url).toMatch(/^file:\/\/.*report\.html$/);
      expect(consoleErrors).toEqual([]);
    });

    it('prints with the filters hidden and every finding expanded; saves a screenshot', async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: join(ARTIFACTS, 'html-report.png'), fullPage: true });
      expect(existsSync(join(ARTIFACTS, 'html-report.png'))).toBe(true);
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('#controls').isVisible()).toBe(false);
      const last = page.locator('details.finding').last();
      expect(await isOpen(last)).toBe(false);
      expect(await last.locator('ul.evidence').isVisible()).toBe(true);
      await page.emulateMedia({ media: 'screen' });
    });
  });
});
