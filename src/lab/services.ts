import type { Socket as UdpSocket } from 'node:dgram';
import type { Server } from 'node:net';
import { DEFAULT_PORTS } from '../engine/ports.ts';
import { startHttpResponder, startSilentPort } from './http-responder.ts';
import type { Persona } from './persona.ts';
import { startWsdResponder } from './wsd-responder.ts';

export type LabMode = 'loopback' | 'netns';

/**
 * Loopback mode runs without root, so ports below 1024 move up by 20000 (80 → 20080); the scan
 * command the lab prints carries the same mapping in --ports.
 */
export function labPort(port: number, mode: LabMode): number {
  return mode === 'loopback' && port < 1024 ? port + 20_000 : port;
}

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
  const closeAll = async () => {
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
  } catch (err) {
    await closeAll();
    throw err;
  }
  return { persona, address, tcpPorts: [...used].sort((a, b) => a - b), close: closeAll };
}
