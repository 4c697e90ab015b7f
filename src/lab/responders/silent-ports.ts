/**
 * Lab responder for persona.yaml `services.tcp`: ports that accept and say nothing (an SDK port
 * that waits for the client to speak first), so a port scan sees them open. A port an HTTP
 * service already holds stays HTTP.
 */

import { PERSONA_FILE, PERSONA_SCHEMA, type PersonaFile } from '../persona.ts';
import { labPort } from '../ports.ts';
import { startServers, startTcpResponder } from '../tcp-responder.ts';
import type { Responder } from './types.ts';

export const silentPortsResponder: Responder = {
  protocol: 'tcp',
  file: PERSONA_FILE,
  schema: PERSONA_SCHEMA,
  // An open port with no answer is no protocol the scan can check was answered.
  protocols: () => [],
  start(config, ctx) {
    const ports = new Set((config as PersonaFile).services.tcp?.map((p) => labPort(p, ctx.mode)));
    return startServers(
      [...ports].filter((p) => !ctx.takenPorts.has(p)),
      (port) =>
        startTcpResponder(ctx.host, port, (socket) => {
          socket.setTimeout(10_000);
          socket.resume();
        }),
    );
  },
};
