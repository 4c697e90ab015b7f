import { describe, expect, it } from 'vitest';
import type { Device } from '../../src/core/device.ts';
import type { Finding } from '../../src/core/finding.ts';
import type { EventSet, SummaryEvent } from '../../src/report/events.ts';
import { ALL_SITES, escapeHtml, jsonForScript, renderHtml } from '../../src/report/html.ts';

const EVIL = '<script>window.__pwned=1</script>';
const EVIL_ATTR = '"><img src=x onerror="window.__pwned=2">';

function device(id: string, over: Partial<Device> = {}): Device {
  return {
    type: 'device',
    schemaVersion: 1,
    id,
    addresses: [id.replace(/^ip-/, '')],
    ports: [80],
    certainty: 0,
    identifications: [],
    conflicts: [],
    notes: [],
    ...over,
  };
}

function finding(dev: string, over: Partial<Finding> = {}): Finding {
  return {
    type: 'finding',
    schemaVersion: 1,
    device: dev,
    addresses: [dev.replace(/^ip-/, '')],
    policy: 'uk-nil-2022',
    rule: 'named-prc-makers',
    severity: 'restricted',
    confidence: 'confirmed',
    maker: 'dahua',
    brand: 'amcrest',
    lineage: 'Amcrest (made by Dahua)',
    basis: 'Because.',
    action: 'Replace it.',
    evidence: [
      {
        field: 'http.auth.realm',
        value: 'Login to Amcrest',
        host: dev.replace(/^ip-/, ''),
        port: 80,
        probe: 'http-banner',
        fingerprint: 'amcrest-realm',
        says: 'brand=amcrest',
      },
    ],
    ...over,
  };
}

const summary: SummaryEvent = {
  type: 'summary',
  schemaVersion: 1,
  version: '0.1.0',
  command: 'camsweep scan 10.0.0.0/30 --policy uk-nil-2022',
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:05.000Z',
  complete: true,
  targets: ['10.0.0.0/30'],
  policies: ['uk-nil-2022', 'fcc-covered'],
  addresses: { total: '4', done: 4, live: 3, untested: 0 },
  devices: 3,
  findings: { restricted: 1, review: 1 },
  statuses: { success: 3 },
  outOfScope: 0,
  slowdowns: 0,
  fingerprints: 59,
};

function hostileSet(): EventSet {
  return {
    devices: [
      device('ip-10.0.0.1', {
        maker: 'dahua',
        brand: 'amcrest',
        model: EVIL,
        firmware: EVIL_ATTR,
        certainty: 1,
        notes: [],
      }),
      device('ip-10.0.0.2', { maker: 'uniview', certainty: 0.8 }),
      device('ip-10.0.0.3', { deviceType: 'camera', notes: [`odd banner ${EVIL}`] }),
    ],
    findings: [
      finding('ip-10.0.0.1', {
        model: EVIL,
        evidence: [
          {
            field: 'http.header.server',
            value: `${EVIL}\u202e\u0007`,
            host: '10.0.0.1',
            port: 80,
            fingerprint: 'x',
            says: EVIL_ATTR,
          },
        ],
      }),
      finding('ip-10.0.0.2', {
        severity: 'review',
        rule: 'other-prc-makers',
        maker: 'uniview',
        lineage: 'Uniview',
        confidence: 'possible',
      }),
    ],
    summary,
  };
}

/** The start tags of a document (text never holds a raw `<` followed by a letter). */
function tags(html: string): string[] {
  return [...html.matchAll(/<[a-z][a-z0-9-]*\b[^>]*>/gi)].map((m) => m[0]);
}

const names = (id: string) => ({ dahua: 'Dahua', amcrest: 'Amcrest', uniview: 'Uniview' })[id] ?? id;

describe('escapeHtml / jsonForScript', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(escapeHtml(undefined)).toBe('');
    expect(escapeHtml(42)).toBe('42');
  });

  it('replaces control and bidi-override characters, and caps overlong values', () => {
    expect(escapeHtml('a\u0000b\u202ec\u0007d\te')).toBe('a\ufffdb\ufffdc\ufffdd\te');
    expect(escapeHtml('x'.repeat(10_000)).length).toBeLessThanOrEqual(4000);
  });

  it('JSON for a <script> block cannot close the block or open a comment', () => {
    const json = jsonForScript({ v: `</script><!--${EVIL}\u2028&` });
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual({ v: `</script><!--${EVIL}\u2028&` });
  });
});

describe('renderHtml', () => {
  const html = renderHtml(hostileSet(), {
    title: 'Lab <sweep>',
    generatedAt: '2026-01-02T03:04:05Z',
    names,
    fingerprintsVersion: 'lib-2026.01',
  });

  it('is one self-contained document: no external URL, no src or href outside the page', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/https?:\/\//i);
    // Every `<` from the sweep is escaped, so each real tag comes from the template.
    expect(tags(html).length).toBeGreaterThan(50);
    for (const tag of tags(html)) {
      expect(tag).not.toMatch(/\s(?:src|action|poster|data|srcset|on[a-z]+)\s*=/i);
      expect(tag).not.toMatch(/\shref\s*=\s*"(?!#)/i);
    }
    expect(html).not.toMatch(/@import|url\(/i);
    // Every href is an in-page anchor.
    for (const m of html.matchAll(/href="([^"]*)"/g)) expect(m[1]).toMatch(/^#finding-\d+$/);
    // A CSP forbids fetches and any script but the page's own.
    expect(html).toMatch(
      /http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-/,
    );
    // Even an empty report names no URL.
    expect(renderHtml({ devices: [], findings: [] })).not.toMatch(/https?:|\/\//);
  });

  it('escapes every device-supplied string: no injected element or attribute survives', () => {
    expect(html).not.toContain(EVIL);
    expect(html).not.toContain('<img');
    for (const tag of tags(html)) expect(tag).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;');
    expect(html).not.toContain('\u202e');
    expect(html).not.toContain('\u0007');
    // Only two <script> elements: the data block and the static script.
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html).toContain('<script type="application/json" id="camsweep-data">');
    expect(html).toContain('<title>Lab &lt;sweep&gt;</title>');
  });

  it('the executable script is static: the same for any input', () => {
    const script = (h: string) => /<script>([\s\S]*?)<\/script>/.exec(h)?.[1];
    const other = renderHtml({ devices: [], findings: [] });
    expect(script(html)).toBeDefined();
    expect(script(html)).toBe(script(other));
    // The embedded JSON parses back to the summary.
    const data = /<script type="application\/json" id="camsweep-data">([\s\S]*?)<\/script>/.exec(html)?.[1];
    expect(JSON.parse(data ?? 'null')).toMatchObject({
      devices: 3,
      findings: { total: 2, restricted: 1, review: 1 },
      summary: { version: '0.1.0' },
    });
  });

  it('shows the header: time, versions, command line, scope and policies', () => {
    expect(html).toContain('2026-01-02T03:04:05Z');
    expect(html).toContain('<span id="camsweep-version">0.1.0</span>');
    expect(html).toContain('lib-2026.01');
    expect(html).toContain('59 fingerprints');
    expect(html).toContain('<code id="command">camsweep scan 10.0.0.0/30 --policy uk-nil-2022</code>');
    expect(html).toContain('<span class="mono" id="scope">10.0.0.0/30</span>');
    expect(html).toContain('uk-nil-2022, fcc-covered');
  });

  it('counts devices and findings, per policy and per site', () => {
    expect(html).toContain('<b id="count-devices">3</b>');
    expect(html).toContain('<b id="count-findings">2</b>');
    expect(html).toContain('<b id="count-restricted">1</b>');
    expect(html).toContain('<b id="count-review">1</b>');
    expect(html).toContain('<b id="count-unidentified">1</b>');
    expect(html).toMatch(
      /<tr data-policy="uk-nil-2022"><td class="mono">uk-nil-2022<\/td><td class="num">1<\/td><td class="num">1<\/td>/,
    );
    expect(html).toMatch(/<tr data-policy="fcc-covered">.*<td class="num">0<\/td><td class="num">0<\/td>/);
    expect(html).toContain(
      `<tr><td>${ALL_SITES}</td><td class="num">3</td><td class="num">1</td><td class="num">1</td></tr>`,
    );
  });

  it('groups by a site function, so a later `site` field needs no change here', () => {
    const set = hostileSet();
    const withSites = {
      ...set,
      devices: set.devices.map((d, i) => ({ ...d, site: i === 0 ? 'HQ' : 'Depot' })),
      findings: set.findings.map((f) => ({ ...f, site: f.device === 'ip-10.0.0.1' ? 'HQ' : 'Depot' })),
    };
    const h = renderHtml(withSites);
    expect(h).toContain(
      '<tr><td>HQ</td><td class="num">1</td><td class="num">1</td><td class="num">0</td></tr>',
    );
    expect(h).toContain(
      '<tr><td>Depot</td><td class="num">2</td><td class="num">0</td><td class="num">1</td></tr>',
    );
    const custom = renderHtml(set, { siteOf: (e) => (e.addresses[0]?.endsWith('.1') ? 'One' : 'Rest') });
    expect(custom).toContain('<tr><td>One</td><td class="num">1</td>');
  });

  it('shows lineage as "Amcrest (made by Dahua)" and each finding as <details> with its evidence', () => {
    expect(html).toContain('Amcrest (made by Dahua)');
    expect(html.match(/<details class="finding"/g)).toHaveLength(2);
    expect(html).toContain('<details class="finding" id="finding-1" data-severity="restricted">');
    expect(html).toContain('<code>http.header.server</code>');
    expect(html).toContain('href="#finding-1"');
  });

  it('has print CSS that hides the filters and opens every finding', () => {
    expect(html).toMatch(/@media print\{[^@]*\.controls[^}]*display:none/);
    expect(html).toMatch(/details::details-content\{content-visibility:visible;display:block\}/);
    expect(html).toContain('beforeprint');
  });

  it('renders without a summary or findings', () => {
    const h = renderHtml({
      devices: [device('ip-10.0.0.9', { maker: 'axis', certainty: 0.9 })],
      findings: [],
    });
    expect(h).toContain('No device matched the policy.');
    expect(h).toContain('<b id="count-devices">1</b>');
    expect(h).toContain('data-severity="none"');
  });
});
