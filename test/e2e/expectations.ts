import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { expect } from 'vitest';
import type { Device } from '../../src/core/device.ts';
import type { Finding } from '../../src/core/finding.ts';
import { SCHEMA_DIR } from '../../src/core/paths.ts';
import { readYamlFile } from '../../src/core/yaml-file.ts';
import type { LabPersona } from '../../src/lab/lab.ts';
import { RESPONDERS } from '../../src/lab/responders/index.ts';
import type { SweepEvent } from '../../src/report/events.ts';

const validate = new Ajv({ strict: false }).compile(
  JSON.parse(readFileSync(join(SCHEMA_DIR, 'event.schema.json'), 'utf8')) as object,
);

/** Reads a JSONL event file, failing on any line the committed schema rejects. */
export function readValidEvents(path: string): SweepEvent[] {
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  return lines.map((line, i) => {
    const value = JSON.parse(line) as unknown;
    if (!validate(value))
      throw new Error(`${path}:${i + 1} fails event.schema.json: ${JSON.stringify(validate.errors)}`);
    return value as SweepEvent;
  });
}

/** Every persona gets the maker, brand and verdict its persona.yaml expects, and nothing else is flagged. */
export function assertPersonaVerdicts(events: readonly SweepEvent[], personas: readonly LabPersona[]): void {
  const devices = events.filter((e): e is Device => e.type === 'device');
  const findings = events.filter((e): e is Finding => e.type === 'finding');
  for (const { persona, address } of personas) {
    const device = devices.find((d) => d.addresses.includes(address));
    expect(device, `${persona.id} at ${address} was not reported`).toBeDefined();
    if (!device) continue;
    const label = `${persona.id} at ${address}`;
    if (persona.expect.maker) expect(device.maker, `${label}: maker`).toBe(persona.expect.maker);
    else expect(device.maker, `${label}: must not be attributed`).toBeUndefined();
    if (persona.expect.brand) expect(device.brand, `${label}: brand`).toBe(persona.expect.brand);
    if (persona.expect.model) expect(device.model, `${label}: model`).toBe(persona.expect.model);
    if (persona.expect.firmware) expect(device.firmware, `${label}: firmware`).toBe(persona.expect.firmware);
    if (persona.expect.deviceType) {
      expect(device.deviceType, `${label}: device type`).toBe(persona.expect.deviceType);
    } else if (['camera', 'recorder', 'printer', 'router'].includes(persona.kind)) {
      expect(device.deviceType, `${label}: device type`).toBe(persona.kind);
    }
    if (persona.kind === 'honeypot') expect(device.deviceType, `${label}: no device type`).toBeUndefined();
    const mine = findings.filter((f) => f.device === device.id);
    if (persona.expect.finding === 'none') {
      expect(mine, `${label}: no finding expected`).toEqual([]);
    } else {
      expect(
        mine.map((f) => f.severity),
        `${label}: finding`,
      ).toEqual([persona.expect.finding]);
      expect(mine[0]?.evidence.length, `${label}: evidence`).toBeGreaterThan(0);
    }
  }
  const personaAddresses = new Set(personas.map((p) => p.address));
  for (const f of findings) {
    expect(
      f.addresses.some((a) => personaAddresses.has(a)),
      `finding for an address outside the lab: ${f.addresses}`,
    ).toBe(true);
  }
}

/** Protocols a persona speaks, by what its folder configures (persona.yaml services and responder files). */
export function protocolsSpoken(p: LabPersona, opts: { optIn?: readonly string[] } = {}): string[] {
  const out = new Set<string>();
  const http = p.persona.services.http ?? [];
  if (http.length > 0) out.add('http');
  if (http.some((h) => h.routes.some((r) => r.soap))) out.add('onvif');
  if (p.persona.services.wsd) out.add('wsd');
  for (const r of RESPONDERS) {
    if (r.protocol === 'snmp' && !opts.optIn?.includes('snmp')) continue;
    const path = join(p.persona.dir, r.file);
    if (!existsSync(path)) continue;
    // A responder that speaks several protocols (banners.yaml: telnet, FTP) says which, by its config.
    for (const protocol of r.protocols?.(readYamlFile(path, 'LAB').data) ?? [r.protocol]) out.add(protocol);
  }
  return [...out].sort();
}

/** Issue #3's done criterion: every persona is found by every protocol its folder says it speaks. */
export function assertEveryProtocolAnswered(
  exchanges: readonly { host: string; protocol: string }[],
  personas: readonly LabPersona[],
): void {
  let checked = 0;
  for (const p of personas) {
    const seen = new Set(exchanges.filter((e) => e.host === p.address).map((e) => e.protocol));
    for (const protocol of protocolsSpoken(p)) {
      expect(seen.has(protocol), `${p.persona.id} at ${p.address} answered ${protocol}`).toBe(true);
      checked += 1;
    }
  }
  expect(checked).toBeGreaterThan(personas.length);
}
