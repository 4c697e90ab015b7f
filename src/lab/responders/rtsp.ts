/**
 * Lab responder for RTSP (TCP 554; 20554 in loopback mode). `rtsp.yaml` in a persona folder maps
 * request methods to raw responses (head lines, blank line, optional body), rendered per request
 * with the fixtures/README.md placeholders plus {{cseq}} (echoed from the request) and
 * {{macUpper}} (the MAC as 12 upper-case hex digits, for AXIS_<MAC> realms). Head line ends
 * become CRLF, as on the wire.
 */

import type { Socket } from 'node:net';
import { closeServer, startTcpResponder } from '../tcp-responder.ts';
import { renderHttpResponse } from '../template.ts';
import { PROVENANCE_SCHEMA } from './schema.ts';
import type { Responder } from './types.ts';

export interface RtspConfig {
  provenance: { fact: string; source: string }[];
  port?: number;
  /** Method (OPTIONS, DESCRIBE …) → raw response; `default` answers any other method. */
  responses: Record<string, string>;
}

/** Faults: hang, reset, split (small writes), garbage, oversize, duplicate (each answer twice). */
export type RtspFault = 'hang' | 'reset' | 'split' | 'garbage' | 'oversize' | 'duplicate';

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
    // labPort (src/lab/services.ts) without importing it: services.ts imports this registry.
    const port = ctx.mode === 'loopback' && wanted < 1024 ? wanted + 20_000 : wanted;
    const fault = ctx.fault as RtspFault | undefined;
    const mac = ctx.persona.mac;
    const render = (method: string, cseq: string): Buffer | undefined => {
      const text = cfg.responses[method] ?? cfg.responses.default;
      if (text === undefined) return undefined;
      const filled = text
        .replaceAll('{{cseq}}', cseq)
        .replaceAll('{{macUpper}}', (mac ?? '00:00:00:00:00:00').replaceAll(':', '').toUpperCase());
      return renderHttpResponse(filled, { host: ctx.host, httpPort: ctx.httpPort, ...(mac ? { mac } : {}) });
    };
    const timers = new Set<NodeJS.Timeout>();
    const answer = (socket: Socket, bytes: Buffer) => {
      switch (fault) {
        case 'hang':
          return;
        case 'reset':
          socket.resetAndDestroy();
          return;
        case 'split': {
          // Seven-byte pieces 5 ms apart: the reader must join them.
          let i = 0;
          const next = () => {
            if (socket.destroyed || i >= bytes.length) return;
            socket.write(bytes.subarray(i, i + 7));
            i += 7;
            const t = setTimeout(() => {
              timers.delete(t);
              next();
            }, 5);
            timers.add(t);
          };
          next();
          return;
        }
        case 'garbage':
          socket.end(Buffer.from([0x00, 0xff, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x0a, 0x00]));
          return;
        case 'oversize':
          // An endless head: no blank line ever comes, only the reader's cap ends it.
          socket.end(
            Buffer.concat([Buffer.from('RTSP/1.0 200 OK\r\nX-Pad: '), Buffer.alloc(1024 * 1024, 0x41)]),
          );
          return;
        case 'duplicate':
          socket.write(Buffer.concat([bytes, bytes]));
          return;
        default:
          socket.write(bytes);
      }
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
          if (bytes) answer(socket, bytes);
        }
      });
    });
    return {
      tcpPorts: [port],
      close: async () => {
        for (const t of timers) clearTimeout(t);
        for (const s of open) s.destroy();
        await closeServer(server);
      },
    };
  },
};
