import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/core/paths.ts';
import { DEFAULT_PORTS } from '../../src/engine/ports.ts';
import { allProbeIds, HOST_PROBES, MULTICAST_DISCOVERY, SERVICE_PROBES } from '../../src/probes/index.ts';

const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');

describe('README stays in step with the code', () => {
  it('opens with the two quick-start commands', () => {
    const quick = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Quick start') + 200);
    expect(quick).toContain('npm ci && npm run demo');
    expect(quick).toContain('npm ci && npm test');
  });

  it('lists every probe in the probe table', () => {
    for (const id of allProbeIds()) expect(readme, `README probe table lacks ${id}`).toContain(`\`${id}\``);
  });

  it('names every multicast group, IPv4 and IPv6, a discovery sends to', () => {
    for (const d of MULTICAST_DISCOVERY) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${d.id}\``)) ?? '';
      expect(row, d.id).toContain(d.group);
      if (d.groupV6) expect(row, d.id).toContain(d.groupV6);
    }
  });

  it('says which probes are off by default', () => {
    const optIn = [...MULTICAST_DISCOVERY, ...SERVICE_PROBES, ...HOST_PROBES]
      .filter((p) => p.optIn)
      .map((p) => p.id);
    for (const id of optIn) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${id}\``));
      expect(row, id).toMatch(/\*\*off\*\*/);
    }
  });

  it('documents every default port', () => {
    for (const p of DEFAULT_PORTS) expect(readme).toMatch(new RegExp(`\\b${p.port}\\b`));
  });
});
