/**
 * Lab responders for HTTP and HTTPS, from persona.yaml `services.http`: each service on its own
 * port (TLS where `tls: true`), answered from the persona's recorded responses by
 * src/lab/http-responder.ts. ONVIF is SOAP over these same services.
 */

import { DEFAULT_PORTS } from '../../engine/ports.ts';
import { startHttpResponder } from '../http-responder.ts';
import { type HttpFault, PERSONA_FILE, PERSONA_SCHEMA, type PersonaFile } from '../persona.ts';
import { labPort } from '../ports.ts';
import { startServers } from '../tcp-responder.ts';
import type { Responder } from './types.ts';

/** The persona's HTTP services, fault `faults.http` (hang, reset, split, garbage, drip, oversize, invalid-utf8). */
export const httpResponder: Responder = {
  protocol: 'http',
  file: PERSONA_FILE,
  schema: PERSONA_SCHEMA,
  protocols(config) {
    const http = (config as PersonaFile).services.http ?? [];
    if (http.length === 0) return [];
    return http.some((h) => h.routes.some((r) => r.soap)) ? ['http', 'onvif'] : ['http'];
  },
  start(config, ctx) {
    const services = (config as PersonaFile).services.http ?? [];
    const fault = ctx.fault as HttpFault | undefined;
    const ports = services.map((s) => labPort(s.port, ctx.mode));
    const { persona, host, httpPort } = ctx;
    return startServers(ports, (port, i) => {
      const service = services[i];
      if (!service) throw new Error(`internal: no HTTP service ${i}`);
      return startHttpResponder({ persona, host, httpPort, service, port, ...(fault ? { fault } : {}) });
    });
  },
};

/**
 * An answer-everything host (`anyPort: true` on a service, e.g. a portspoof honeypot): that
 * service's answer, without faults, on every camera port the scanner knows that no responder
 * registered before it holds (so a persona's silent SDK ports stay silent).
 */
export const anyPortResponder: Responder = {
  protocol: 'http-any-port',
  file: PERSONA_FILE,
  schema: PERSONA_SCHEMA,
  protocols: () => [],
  async start(config, ctx) {
    const service = (config as PersonaFile).services.http?.find((h) => h.anyPort);
    if (!service) return { close: async () => {} };
    const ports = new Set(DEFAULT_PORTS.map((d) => labPort(d.port, ctx.mode)));
    const { persona, host, httpPort } = ctx;
    return startServers(
      [...ports].filter((p) => !ctx.takenPorts.has(p)),
      (port) => startHttpResponder({ persona, host, httpPort, service, port }),
    );
  },
};
