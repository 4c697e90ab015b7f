/**
 * Lab responder for RTSP (TCP 554; 20554 in loopback mode). `rtsp.yaml` in a persona folder maps
 * request methods to raw responses (head lines, blank line, optional body), rendered per request
 * with the fixtures/README.md placeholders plus {{cseq}} (echoed from the request) and
 * {{macUpper}} (the MAC as 12 upper-case hex digits, for AXIS_<MAC> realms). Head line ends
 * become CRLF, as on the wire.
 */

import type { Socket } from 'node:net';
import { labPort } from '../ports.ts';
import { closeServer, startTcpResponder, writeTcpAnswer } from '../tcp-responder.ts';
import { renderHttpResponse } from '../template.ts';
import { PROVENANCE_SCHEMA } from './schema.ts';
import type { Responder } from './types.ts';

export interface RtspConfig {
  provenance: { fact: string; source: string }[];
  port?: number;
  /** Method (OPTIONS, DESCRIBE …) → raw response; `default` answers any other method. */
  responses: Record<string, string>;
}

/**
 * Faults (src/lab/tcp-responder.ts writeTcpAnswer): hang, reset, split, drip, garbage, duplicate
 * (each answer twice), oversize (an endless RTSP head: no blank line ever comes).
 */
const OVERSIZE_HEAD = Buffer.from('RTSP/1.0 200 OK\r\nX-Pad: ');

const MAX_REQUEST = 16 * 1024;

const schema = {
  type: 'object',
  required: ['provenance', 'responses'],
  additionalProperties: false,
  properties: {
    provenance: PROVENANCE_SCHEMA,
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    responses: {
      type: 'object',
      minProperties: 1,
      additionalProperties: { type: 'string', minLength: 1 },
    },
  },
};

/** Method and CSeq of one request head. */
export function requestInfo(head: string): { method: string; cseq: string } {
  const [line = ''] = head.split(/\r?\n/, 1);
  const method = (line.split(' ', 1)[0] ?? '').toUpperCase();
  const cseq = /^cseq[ \t]*:[ \t]*(\d{1,9})[ \t]*$/im.exec(head)?.[1] ?? '0';
  return { method, cseq };
}

export const rtspResponder: Responder = {
  protocol: 'rtsp',
  file: 'rtsp.yaml',
  schema,
  async start(config, ctx) {
    const cfg = config as RtspConfig;
    const wanted = cfg.port ?? 554;
    const port = labPort(wanted, ctx.mode);
    const fault = ctx.fault;
    const mac = ctx.persona.mac;
    const render = (method: string, cseq: string): Buffer | undefined => {
      const text = cfg.responses[method] ?? cfg.responses.default;
      if (text === undefined) return undefined;
      const filled = text
        .replaceAll('{{cseq}}', cseq)
        .replaceAll('{{macUpper}}', (mac ?? '00:00:00:00:00:00').replaceAll(':', '').toUpperCase());
      return renderHttpResponse(filled, { host: ctx.host, httpPort: ctx.httpPort, ...(mac ? { mac } : {}) });
    };
    const open = new Set<Socket>();
    const server = await startTcpResponder(ctx.host, port, (socket) => {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
      let buf = '';
      socket.on('data', (chunk: Buffer) => {
        buf += chunk.toString('latin1');
        if (buf.length > MAX_REQUEST) {
          socket.destroy();
          return;
        }
        for (;;) {
          const end = buf.search(/\r?\n\r?\n/);
          if (end < 0) return;
          const head = buf.slice(0, end);
          buf = buf.slice(end).replace(/^\r?\n\r?\n/, '');
          const { method, cseq } = requestInfo(head);
          const bytes = render(method, cseq);
          if (bytes) writeTcpAnswer(socket, bytes, fault, { oversizeHead: OVERSIZE_HEAD });
        }
      });
    });
    return {
      tcpPorts: [port],
      close: async () => {
        for (const s of open) s.destroy();
        await closeServer(server);
      },
    };
  },
};
