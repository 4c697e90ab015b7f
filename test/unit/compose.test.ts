/**
 * docker-compose.yml cannot be run on the project's machines (no Docker engine), so this test is
 * what keeps it in step with the lab: every persona in fixtures/devices has a service with the
 * persona's MAC and its own fixed address, and the scanner's targets cover all of them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type ScanOptions, scanCommand } from '../../src/cli/commands/scan.ts';
import { ipToBigInt } from '../../src/core/ip.ts';
import { PACKAGE_ROOT } from '../../src/core/paths.ts';
import { readYamlFile } from '../../src/core/yaml-file.ts';
import { buildTargetSet } from '../../src/engine/targets.ts';
import { listPersonas, type Persona } from '../../src/lab/persona.ts';
import { RESPONDERS } from '../../src/lab/responders/index.ts';

interface Service {
  command?: string[];
  mac_address?: string;
  networks?: Record<string, { ipv4_address?: string } | null>;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition?: string }>;
  sysctls?: Record<string, string | number>;
}

interface ComposeFile {
  services: Record<string, Service>;
  networks: Record<
    string,
    { internal?: boolean; ipam?: { config?: { subnet?: string; gateway?: string }[] } }
  >;
}

// merge: the file shares settings between services with YAML merge keys (<<: *persona).
const compose = parse(readFileSync(join(PACKAGE_ROOT, 'docker-compose.yml'), 'utf8'), {
  merge: true,
}) as ComposeFile;
const personas = listPersonas();
const SERVE = 'src/lab/serve.ts';
const [networkName, network] = Object.entries(compose.networks)[0] ?? [];
const subnetText = network?.ipam?.config?.[0]?.subnet ?? '';
const gateway = network?.ipam?.config?.[0]?.gateway;

function inSubnet(address: string): boolean {
  return ipaddr.parse(address).match(ipaddr.parseCIDR(subnetText));
}

function addressOf(service: Service): string | undefined {
  return networkName ? (service.networks?.[networkName]?.ipv4_address ?? undefined) : undefined;
}

/** TCP ports a persona's responders answer on, from what they would record (banners.yaml: 23, 21). */
function responderTcpPorts(p: Persona): string[] {
  return RESPONDERS.flatMap((r) => {
    const path = join(p.dir, r.file);
    if (!r.sampleExchanges || !existsSync(path)) return [];
    return r
      .sampleExchanges(readYamlFile(path, 'LAB').data, { persona: p, host: '192.0.2.1', httpPort: 80 })
      .filter((e) => e.transport === 'tcp' && e.response.length > 0)
      .map((e) => String(e.port));
  });
}

/** The persona services, by the persona folder their serve.ts command names. */
const personaServices = Object.entries(compose.services).filter(([, s]) => s.command?.includes(SERVE));

async function scannerTargets() {
  const scanner = compose.services.scanner;
  const command = scanner?.command ?? [];
  const at = command.indexOf('scan');
  expect(command.slice(0, at)).toEqual(['node', 'bin/camsweep.mjs']);
  // Parsed by the real `scan` command, so an option the CLI no longer takes fails here too.
  let parsed: { targets: string[]; opts: ScanOptions } | undefined;
  const cmd = scanCommand()
    .exitOverride()
    .action((targets: string[], opts: ScanOptions) => {
      parsed = { targets, opts };
    });
  await cmd.parseAsync(command.slice(at + 1), { from: 'user' });
  if (!parsed) throw new Error('the scanner command did not parse');
  return {
    opts: parsed.opts,
    set: await buildTargetSet({
      targets: parsed.targets,
      ...(parsed.opts.exclude ? { exclude: parsed.opts.exclude } : {}),
    }),
  };
}

describe('docker-compose.yml', () => {
  it('has one network with a fixed IPv4 subnet, closed to the outside', () => {
    expect(Object.keys(compose.networks)).toHaveLength(1);
    expect(ipaddr.parseCIDR(subnetText)[0].kind()).toBe('ipv4');
    expect(network?.internal).toBe(true);
  });

  it('has a service for every persona in fixtures/devices, with its MAC and its own folder', () => {
    expect(personas.length).toBeGreaterThan(0);
    for (const p of personas) {
      const service = compose.services[p.id];
      expect(service, `no service for persona ${p.id}`).toBeDefined();
      const command = service?.command ?? [];
      expect(command.slice(0, 4)).toEqual(['node', '--import', 'tsx', SERVE]);
      expect(command[4]).toBe(`/app/fixtures/devices/${p.id}`);
      expect(command[5], `${p.id}: serve.ts must bind the service's own address`).toBe(
        service ? addressOf(service) : undefined,
      );
      expect(service?.mac_address, `${p.id}: MAC`).toBe(p.mac);
      expect(service?.sysctls?.['net.ipv4.ip_unprivileged_port_start']).toBe(0);
    }
  });

  it('has no persona service whose folder does not exist', () => {
    for (const [name, s] of personaServices) {
      const folder = (s.command?.[4] ?? '').replace(/^\/app\//, '');
      expect(existsSync(join(PACKAGE_ROOT, folder, 'persona.yaml')), `${name}: ${folder}`).toBe(true);
      expect(personas.some((p) => p.id === name)).toBe(true);
    }
  });

  it('gives every service a unique fixed address inside the subnet, off the gateway', () => {
    const seen = new Map<string, string>();
    for (const [name, s] of Object.entries(compose.services)) {
      const address = addressOf(s);
      expect(address, `${name}: no fixed ipv4_address`).toBeDefined();
      if (!address) continue;
      expect(inSubnet(address), `${name}: ${address} is outside ${subnetText}`).toBe(true);
      expect(address).not.toBe(gateway);
      const [base] = ipaddr.parseCIDR(subnetText);
      expect(address, `${name}: network address`).not.toBe(base.toString());
      expect(seen.get(address), `${name} and ${seen.get(address)} share ${address}`).toBeUndefined();
      seen.set(address, name);
    }
  });

  it('health-checks each persona on its own address and one of its HTTP ports (without HTTP: a TCP port a responder answers on)', () => {
    for (const p of personas) {
      const service = compose.services[p.id];
      const test = service?.healthcheck?.test ?? [];
      expect(test.slice(0, 3)).toEqual(['CMD', 'node', 'docker/healthcheck.mjs']);
      expect(test[3]).toBe(service ? addressOf(service) : undefined);
      const http = (p.services.http ?? []).map((h) => String(h.port));
      const ports = http.length > 0 ? http : responderTcpPorts(p);
      expect(ports, p.id).toContain(test[4]);
    }
    expect(existsSync(join(PACKAGE_ROOT, 'docker', 'healthcheck.mjs'))).toBe(true);
  });

  it("has a scanner whose targets cover every persona and stay inside the lab's subnet", async () => {
    const { set } = await scannerTargets();
    for (const [name, s] of personaServices) {
      const address = addressOf(s) ?? '';
      expect(set.contains(address), `${name} (${address}) is not in the scanner's targets`).toBe(true);
    }
    // The gateway is the Docker host's side of the bridge: never a target.
    if (gateway) expect(set.contains(gateway)).toBe(false);
    const [base, bits] = ipaddr.parseCIDR(subnetText);
    const first = ipToBigInt(base.toString()).value;
    const last = first + (1n << BigInt(32 - bits)) - 1n;
    for (const spec of set.specs) {
      expect(spec.kind).toBe('range');
      if (spec.kind === 'range') {
        expect(spec.start >= first && spec.end <= last, `${spec.token} leaves ${subnetText}`).toBe(true);
      }
    }
  });

  it('starts the scanner only once every persona is healthy', () => {
    const deps = compose.services.scanner?.depends_on ?? {};
    for (const p of personas) expect(deps[p.id]?.condition, p.id).toBe('service_healthy');
  });
});
