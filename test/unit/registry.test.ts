import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORTS, parsePorts } from '../../src/engine/ports.ts';
import { FIELDS } from '../../src/observations/fields.ts';
import { observe } from '../../src/observations/observe.ts';
import { EXCHANGE_PROTOCOLS, PROTOCOLS } from '../../src/probes/index.ts';
import { loadSchema } from '../../src/report/schemas.ts';

const PROBES_DIR = join(import.meta.dirname, '../../src/probes');

describe('the protocol registry: one folder and one line per protocol', () => {
  it('registers every protocol folder that has a descriptor, once', () => {
    const folders = readdirSync(PROBES_DIR).filter(
      (f) =>
        statSync(join(PROBES_DIR, f)).isDirectory() && readdirSync(join(PROBES_DIR, f)).includes('index.ts'),
    );
    expect(PROTOCOLS.map((d) => d.id).sort()).toEqual(folders.sort());
  });

  it('pins the exchange schema enum to the protocols the descriptors parse', () => {
    const schema = loadSchema('exchange') as { properties: { protocol: { enum: string[] } } };
    expect([...schema.properties.protocol.enum].sort()).toEqual([...EXCHANGE_PROTOCOLS].sort());
  });

  it('gives every field exactly one owner, named by its protocol prefix', () => {
    const owners = new Map<string, string>();
    for (const d of PROTOCOLS) {
      for (const field of Object.keys(d.fields)) {
        expect(owners.get(field), `${field} owned twice`).toBeUndefined();
        owners.set(field, d.id);
      }
    }
    expect([...owners.keys()].sort()).toEqual(Object.keys(FIELDS).sort());
  });

  it('derives the default ports and the --ports service names from the descriptors', () => {
    const claimed = PROTOCOLS.flatMap((d) => ('services' in d ? d.services : []));
    expect(DEFAULT_PORTS.length).toBe(claimed.reduce((n, s) => n + s.ports.length, 0));
    // http comes first: its first port doubles as host discovery.
    expect(DEFAULT_PORTS[0]).toEqual({ port: 80, service: 'http' });
    for (const s of claimed)
      expect(parsePorts(`9999/${s.service}`)).toEqual([{ port: 9999, service: s.service }]);
    expect(() => parsePorts('9999/gopher')).toThrow(/unknown service "gopher"/);
  });

  it('routes an exchange to its protocol parser, and both SDK parsers read sdk exchanges', () => {
    const sdk = observe({
      type: 'exchange',
      host: '192.0.2.1',
      port: 8000,
      transport: 'tcp',
      protocol: 'sdk',
      response: Buffer.from([0x10, 0, 0, 0x20]).toString('base64'),
      encoding: 'base64',
    });
    expect(sdk.map((o) => o.field)).toEqual(['sdk.banner']);
    expect(
      observe({
        type: 'exchange',
        host: '192.0.2.1',
        transport: 'udp',
        protocol: 'nope',
        response: '',
        encoding: 'utf8',
      }),
    ).toEqual([]);
  });

  it('keeps the CONTRIBUTING recipe true: one registration line names each descriptor', () => {
    const index = readFileSync(join(PROBES_DIR, 'index.ts'), 'utf8');
    for (const d of PROTOCOLS) expect(index).toContain(`/${d.id}/index.ts'`);
  });
});
