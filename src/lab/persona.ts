import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CamsweepError } from '../core/errors.ts';
import type { DeviceType } from '../core/identification.ts';
import { FIXTURES_DIR } from '../core/paths.ts';
import { readYamlFile, validateYaml } from '../core/yaml-file.ts';

export interface HttpRoute {
  method?: string;
  path: string;
  response?: string;
  soap?: Record<string, string>;
  /** SOAP actions answered only to a valid WS-UsernameToken (src/lab/http-responder.ts). */
  usernameToken?: UsernameTokenRoute;
}

/**
 * A device that wants a WS-UsernameToken (PasswordDigest) for some SOAP actions. A request with a
 * valid token gets `actions[action]`; one with a wrong token (digest, Created off the device clock by
 * more than `maxSkewSeconds`, a replayed nonce) gets `rejected`; one without a token falls through
 * to the route's `soap` map. The password is lab-made: real device passwords are never published.
 */
export interface UsernameTokenRoute {
  username: string;
  password: string;
  actions: Record<string, string>;
  rejected: string;
  maxSkewSeconds?: number;
}

export interface HttpService {
  port: number;
  tls?: boolean;
  tlsSubject?: string;
  tlsIssuer?: string;
  anyPort?: boolean;
  default?: string;
  routes: HttpRoute[];
}

export type HttpFault = 'hang' | 'reset' | 'split' | 'garbage' | 'drip' | 'oversize' | 'invalid-utf8';
export type WsdFault =
  | 'duplicate'
  | 'entity-bomb'
  | 'deep-nesting'
  | 'wrong-source'
  | 'garbage'
  | 'hostile-xaddr';

export interface Persona {
  id: string;
  name: string;
  kind: 'camera' | 'recorder' | 'router' | 'printer' | 'honeypot';
  expect: {
    maker?: string;
    brand?: string;
    model?: string;
    firmware?: string;
    /** When what the persona speaks cannot show its kind (a telnet prompt): the type to expect. */
    deviceType?: DeviceType;
    finding: 'restricted' | 'review' | 'none';
  };
  mac?: string;
  provenance: { fact: string; source: string }[];
  services: {
    http?: HttpService[];
    wsd?: { probeMatch: string; types?: ('nvt' | 'device')[] };
    tcp?: number[];
  };
  /** Faults by protocol (`faults.<protocol>`), each read by its responder (src/lab/responders). */
  faults?: { http?: HttpFault; wsd?: WsdFault } & Record<string, string | undefined>;
  /** The persona's folder, for response files. */
  dir: string;
}

/** persona.yaml as written: the Persona without the folder it was read from. */
export type PersonaFile = Omit<Persona, 'dir'>;

export const DEVICES_DIR = join(FIXTURES_DIR, 'devices');
export const PERSONA_FILE = 'persona.yaml';
export const PERSONA_SCHEMA = JSON.parse(
  readFileSync(join(FIXTURES_DIR, 'persona.schema.json'), 'utf8'),
) as object;

export function loadPersona(dir: string): Persona {
  const file = readYamlFile(join(dir, PERSONA_FILE), 'LAB');
  validateYaml(file, PERSONA_SCHEMA, 'LAB');
  const p = { ...(file.data as PersonaFile), dir };
  const files = [
    ...(p.services.http ?? []).flatMap((h) => [
      h.default,
      ...h.routes.flatMap((r) => [
        r.response,
        ...Object.values(r.soap ?? {}),
        ...Object.values(r.usernameToken?.actions ?? {}),
        r.usernameToken?.rejected,
      ]),
    ]),
    p.services.wsd?.probeMatch,
  ].filter((f): f is string => typeof f === 'string');
  for (const f of files) {
    if (!existsSync(join(dir, f))) {
      throw new CamsweepError('LAB', `${join(dir, PERSONA_FILE)}: response file "${f}" does not exist`);
    }
  }
  return p;
}

export function listPersonas(root = DEVICES_DIR): Persona[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, e.name, PERSONA_FILE)))
    .map((e) => loadPersona(join(root, e.name)))
    .sort((a, b) => a.id.localeCompare(b.id));
}

export function selectPersonas(all: Persona[], ids: readonly string[] | undefined): Persona[] {
  if (!ids || ids.length === 0) return all;
  return ids.map((id) => {
    const p = all.find((x) => x.id === id || x.id.startsWith(id));
    if (!p)
      throw new CamsweepError('USAGE', `unknown persona "${id}" (known: ${all.map((x) => x.id).join(', ')})`);
    return p;
  });
}
