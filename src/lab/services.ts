import type { Socket as UdpSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { readYamlFile, validateYaml } from '../core/yaml-file.ts';
import { DEFAULT_PORTS } from '../engine/ports.ts';
import { startHttpResponder, startSilentPort } from './http-responder.ts';
import type { Persona } from './persona.ts';
import { type LabMode, labPort } from './ports.ts';
import { RESPONDERS } from './responders/index.ts';
import type { RunningResponder } from './responders/types.ts';
import { startWsdResponder } from './wsd-responder.ts';

export { type LabMode, labPort } from './ports.ts';

export interface PersonaServices {
  persona: Persona;
  address: string;
  /** Lab ports in use, for the printed scan command. */
  tcpPorts: number[];
  close(): Promise<void>;
}

export interface ServeOptions {
  mode: LabMode;
  wsdPort: number;
  hostileXaddr?: string;
  wrongSource?: string;
}

export async function startPersona(
  persona: Persona,
  address: string,
  opts: ServeOptions,
): Promise<PersonaServices> {
  const servers: Server[] = [];
  const sockets: UdpSocket[] = [];
  const used = new Set<number>();
  const http = persona.services.http ?? [];
  const firstHttp = http.find((h) => !h.tls) ?? http[0];
  const httpPort = firstHttp ? labPort(firstHttp.port, opts.mode) : labPort(80, opts.mode);
  const extra: RunningResponder[] = [];
  const closeAll = async () => {
    await Promise.all(extra.map((r) => r.close()));
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    for (const s of sockets) {
      try {
        s.close();
      } catch {
        // already closed
      }
    }
  };
  try {
    for (const service of http) {
      const port = labPort(service.port, opts.mode);
      used.add(port);
      servers.push(
        await startHttpResponder({
          persona,
          service,
          host: address,
          port,
          httpPort,
          ...(persona.faults?.http ? { fault: persona.faults.http } : {}),
        }),
      );
    }
    for (const p of persona.services.tcp ?? []) {
      const port = labPort(p, opts.mode);
      if (used.has(port)) continue;
      used.add(port);
      servers.push(await startSilentPort(address, port));
    }
    // An answer-everything host: the same HTTP answer on every camera port the scanner knows.
    const anyPort = http.find((h) => h.anyPort);
    if (anyPort) {
      for (const d of DEFAULT_PORTS) {
        const port = labPort(d.port, opts.mode);
        if (used.has(port)) continue;
        used.add(port);
        servers.push(await startHttpResponder({ persona, service: anyPort, host: address, port, httpPort }));
      }
    }
    sockets.push(
      ...(await startWsdResponder({
        persona,
        host: address,
        port: opts.wsdPort,
        httpPort,
        multicast: opts.mode === 'netns',
        ...(persona.faults?.wsd ? { fault: persona.faults.wsd } : {}),
        ...(opts.hostileXaddr ? { hostileXaddr: opts.hostileXaddr } : {}),
        ...(opts.wrongSource ? { wrongSource: opts.wrongSource } : {}),
      })),
    );
    // Protocol responders, each started by its config file in the persona folder.
    for (const r of RESPONDERS) {
      const path = join(persona.dir, r.file);
      if (!existsSync(path)) continue;
      const file = readYamlFile(path, 'LAB');
      validateYaml(file, r.schema, 'LAB');
      const fault = persona.faults?.[r.protocol];
      const running = await r.start(file.data, {
        persona,
        host: address,
        mode: opts.mode,
        httpPort,
        multicast: opts.mode === 'netns',
        ...(fault ? { fault } : {}),
      });
      extra.push(running);
      for (const p of running.tcpPorts ?? []) used.add(p);
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  return { persona, address, tcpPorts: [...used].sort((a, b) => a - b), close: closeAll };
}
