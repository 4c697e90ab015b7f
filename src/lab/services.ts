import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readYamlFile, validateYaml } from '../core/yaml-file.ts';
import { PERSONA_FILE, type Persona } from './persona.ts';
import { labPort } from './ports.ts';
import { RESPONDERS } from './responders/index.ts';
import type { Responder, RunningResponder, ServeOptions } from './responders/types.ts';

export interface PersonaServices {
  persona: Persona;
  address: string;
  /** Lab ports in use, for the printed scan command. */
  tcpPorts: number[];
  close(): Promise<void>;
}

/**
 * A responder's config, undefined when the persona folder lacks its file. persona.yaml's is the
 * persona itself, loaded and validated already (tests build some personas in code, with no file).
 */
function configOf(r: Responder, persona: Persona): unknown {
  if (r.file === PERSONA_FILE) return persona;
  const path = join(persona.dir, r.file);
  if (!existsSync(path)) return undefined;
  const file = readYamlFile(path, 'LAB');
  validateYaml(file, r.schema, 'LAB');
  return file.data;
}

/** Starts every responder whose config file the persona folder holds (src/lab/responders). */
export async function startPersona(
  persona: Persona,
  address: string,
  opts: ServeOptions,
): Promise<PersonaServices> {
  const http = persona.services.http ?? [];
  const firstHttp = http.find((h) => !h.tls) ?? http[0];
  const httpPort = labPort(firstHttp?.port ?? 80, opts.mode);
  const running: RunningResponder[] = [];
  const taken = new Set<number>();
  const close = async () => {
    await Promise.all(running.map((r) => r.close()));
  };
  try {
    for (const r of RESPONDERS) {
      const config = configOf(r, persona);
      if (config === undefined) continue;
      const fault = persona.faults?.[r.protocol];
      const started = await r.start(config, {
        ...opts,
        persona,
        host: address,
        httpPort,
        multicast: opts.mode === 'netns',
        takenPorts: taken,
        ...(fault ? { fault } : {}),
      });
      running.push(started);
      for (const p of started.tcpPorts ?? []) taken.add(p);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { persona, address, tcpPorts: [...taken].sort((a, b) => a - b), close };
}
