/**
 * Lab responder for the Dahua DVRIP port (TCP 37777): answers the 32-byte realm request with a
 * 0xB0 frame carrying `Realm:<realm>` and `Random:<random>` lines from `dahua-sdk.yaml`. Anything
 * else gets no answer (a login is never attempted by camsweep, so none is modelled).
 */

import type { Socket } from 'node:net';
import { encodeResponse } from '../../core/exchange.ts';
import { frameRealmReply, REALM_REQUEST } from '../../probes/dahua-sdk/message.ts';
import { labPort } from '../ports.ts';
import { closeServer, startTcpResponder } from '../tcp-responder.ts';
import { PROVENANCE_SCHEMA } from './schema.ts';
import type { Responder } from './types.ts';

export interface DahuaSdkConfig {
  provenance: { fact: string; source: string }[];
  port?: number;
  realm: string;
  random: string;
}

/** Faults: hang, reset, split (header and body in two writes), garbage, oversize, duplicate. */
export type DahuaSdkFault = 'hang' | 'reset' | 'split' | 'garbage' | 'oversize' | 'duplicate';

const schema = {
  type: 'object',
  required: ['provenance', 'realm', 'random'],
  additionalProperties: false,
  properties: {
    provenance: PROVENANCE_SCHEMA,
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    realm: { type: 'string', minLength: 1 },
    random: { type: 'string', minLength: 1 },
  },
};

export const dahuaSdkResponder: Responder = {
  protocol: 'sdk',
  file: 'dahua-sdk.yaml',
  schema,
  sampleExchanges(config, ctx) {
    const cfg = config as DahuaSdkConfig;
    return [
      {
        type: 'exchange',
        host: ctx.host,
        port: cfg.port ?? 37777,
        transport: 'tcp',
        protocol: 'sdk',
        probe: 'dahua-sdk-realm',
        request: REALM_REQUEST.toString('latin1'),
        ...encodeResponse(frameRealmReply(`Realm:${cfg.realm}\r\nRandom:${cfg.random}\r\n\r\n`)),
      },
    ];
  },
  async start(config, ctx) {
    const cfg = config as DahuaSdkConfig;
    const wanted = cfg.port ?? 37777;
    const port = labPort(wanted, ctx.mode);
    const reply = frameRealmReply(`Realm:${cfg.realm}\r\nRandom:${cfg.random}\r\n\r\n`);
    const fault = ctx.fault as DahuaSdkFault | undefined;
    const answer = (socket: Socket) => {
      switch (fault) {
        case 'hang':
          return;
        case 'reset':
          socket.resetAndDestroy();
          return;
        case 'split': {
          socket.write(reply.subarray(0, 32));
          const t = setTimeout(() => socket.write(reply.subarray(32)), 150);
          socket.once('close', () => clearTimeout(t));
          return;
        }
        case 'garbage':
          socket.end(Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3, 0x28, 0x0d, 0x0a]));
          return;
        case 'oversize':
          socket.end(Buffer.concat([reply.subarray(0, 32), Buffer.alloc(1024 * 1024, 0x41)]));
          return;
        case 'duplicate':
          socket.write(Buffer.concat([reply, reply]));
          return;
        default:
          socket.write(reply);
      }
    };
    const open = new Set<Socket>();
    const server = await startTcpResponder(ctx.host, port, (socket) => {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
      let buf = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        if (buf.length >= 32) return;
        buf = Buffer.concat([buf, chunk]).subarray(0, 64);
        if (buf.length < 32) return;
        if (buf.subarray(0, 32).equals(REALM_REQUEST)) answer(socket);
      });
    });
    return {
      tcpPorts: [port],
      close: async () => {
        // A hung connection would keep server.close() waiting: end them all first.
        for (const s of open) s.destroy();
        await closeServer(server);
      },
    };
  },
};
