/**
 * Lab responder for SSDP (UDP 1900) and the UPnP device description it points at (served on its
 * own TCP port, by default 49152 as libupnp does). An M-SEARCH gets one answer per configured
 * search target that matches its ST (all of them for ssdp:all), by unicast to the searcher.
 * Loopback: bound to the persona's address; netns: the wildcard, joined to 239.255.255.250 and
 * (IPv6) ff02::c.
 */

import type { RemoteInfo, Socket as UdpSocket } from 'node:dgram';
import type { Server, Socket } from 'node:net';
import { type Exchange, encodeResponse } from '../../core/exchange.ts';
import { buildMSearch, SSDP_GROUP_V4, SSDP_GROUP_V6, SSDP_PORT } from '../../probes/ssdp/message.ts';
import { closeServer, pumpOversize, startTcpResponder, writeInPieces } from '../tcp-responder.ts';
import {
  floodInBatches,
  runningUdp,
  sendTo,
  startUdpResponder,
  startUdpResponderV6,
  wrongSourceSocket,
} from '../udp-responder.ts';
import { renderMdns } from './mdns.ts';
import { PROVENANCE_SCHEMA } from './schema.ts';
import type { Responder, ResponderContext } from './types.ts';

export interface SsdpConfig {
  provenance: { fact: string; source: string }[];
  /** The answer head with {{st}}, {{usn}} and {{location}} filled per answer; CRLF is added. */
  response: string;
  /** One answer per search target the device answers for. */
  targets: { st: string; usn: string }[];
  description: { port: number; path: string; head: string; body: string };
}

/**
 * Faults on the SSDP side: hang, garbage, duplicate, flood (10,000 datagrams), oversize,
 * wrong-source (answers from 127.0.0.1), `hostile-location=<url>` (LOCATION replaced by <url>).
 * On the description: desc-hang, desc-reset, desc-split, desc-garbage, desc-oversize,
 * desc-entity-bomb, desc-deep-nesting, desc-invalid-utf8.
 */
export type SsdpFault = string;

const schema = {
  type: 'object',
  required: ['provenance', 'response', 'targets', 'description'],
  additionalProperties: false,
  properties: {
    provenance: PROVENANCE_SCHEMA,
    response: { type: 'string', minLength: 8 },
    targets: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['st', 'usn'],
        additionalProperties: false,
        properties: { st: { type: 'string' }, usn: { type: 'string' } },
      },
    },
    description: {
      type: 'object',
      required: ['port', 'path', 'head', 'body'],
      additionalProperties: false,
      properties: {
        port: { type: 'integer', minimum: 1024, maximum: 65535 },
        path: { type: 'string', pattern: '^/' },
        head: { type: 'string' },
        body: { type: 'string' },
      },
    },
  },
};

/** The ST of an M-SEARCH, or undefined when the datagram is not one. */
export function searchTarget(text: string): string | undefined {
  if (!/^M-SEARCH \* HTTP\/1\.1\r?\n/i.test(text) || !/^MAN:\s*"ssdp:discover"/im.test(text))
    return undefined;
  return /^ST:\s*(.+?)\s*$/im.exec(text)?.[1];
}

function crlf(head: string): string {
  return `${head
    .trim()
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .join('\r\n')}\r\n\r\n`;
}

function describe(body: string, head: string, fault: string | undefined): Buffer {
  let text = body;
  if (fault === 'desc-entity-bomb') {
    const ents = ['<!ENTITY a0 "lol">'];
    for (let i = 1; i < 10; i++) ents.push(`<!ENTITY a${i} "${`&a${i - 1};`.repeat(5)}">`);
    text = `<?xml version="1.0"?><!DOCTYPE root [${ents.join('')}]>${body
      .replace(/<\?xml[^>]*>/, '')
      .replace('<manufacturer>', '<manufacturer>&a9;')}`;
  }
  if (fault === 'desc-deep-nesting') text = `<root>${'<d>'.repeat(100_000)}${'</d>'.repeat(100_000)}</root>`;
  let bytes = Buffer.from(text, 'utf8');
  if (fault === 'desc-invalid-utf8')
    bytes = Buffer.concat([bytes, Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xff])]);
  return Buffer.concat([
    Buffer.from(crlf(head.replaceAll('{{contentLength}}', String(bytes.length)))),
    bytes,
  ]);
}

function serveDescription(socket: Socket, bytes: Buffer, fault: string | undefined): void {
  switch (fault) {
    case 'desc-hang':
      return;
    case 'desc-reset':
      socket.write(bytes.subarray(0, 20), () => socket.resetAndDestroy());
      return;
    case 'desc-garbage':
      socket.end(Buffer.from([0x00, 0xff, 0x13, 0x37, 0xde, 0xad, 0x0a, 0x00]));
      return;
    case 'desc-oversize': {
      pumpOversize(socket, 'HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n<root><device><manufacturer>');
      return;
    }
    case 'desc-split':
      writeInPieces(socket, bytes, { step: 7, gapMs: 2, end: true });
      return;
    default:
      socket.end(bytes);
  }
}

/** The persona's search answers and description as bytes on the wire. */
function rendered(
  cfg: SsdpConfig,
  ctx: Pick<ResponderContext, 'host' | 'httpPort' | 'persona'>,
  fault?: string,
) {
  const render = (t: string) => renderMdns(t, ctx);
  const host = ctx.host.includes(':') ? `[${ctx.host}]` : ctx.host;
  const location = fault?.startsWith('hostile-location=')
    ? fault.slice('hostile-location='.length)
    : `http://${host}:${cfg.description.port}${cfg.description.path}`;
  const head = render(cfg.response);
  const answers = cfg.targets.map((t) => ({
    st: render(t.st),
    bytes: Buffer.from(
      crlf(
        head
          .replaceAll('{{st}}', render(t.st))
          .replaceAll('{{usn}}', render(t.usn))
          .replaceAll('{{location}}', location),
      ),
      'latin1',
    ),
  }));
  const description = describe(render(cfg.description.body), render(cfg.description.head), fault);
  return { answers, description };
}

export const ssdpResponder: Responder = {
  protocol: 'ssdp',
  file: 'ssdp.yaml',
  schema,
  sampleExchanges(config, ctx) {
    const cfg = config as SsdpConfig;
    const { answers, description } = rendered(cfg, ctx);
    const request = buildMSearch('ssdp:all', { unicast: ctx.host });
    return [
      ...answers.map(
        (a): Exchange => ({
          type: 'exchange',
          host: ctx.host,
          port: SSDP_PORT,
          transport: 'udp',
          protocol: 'ssdp',
          probe: 'ssdp-unicast',
          request,
          ...encodeResponse(a.bytes),
        }),
      ),
      {
        type: 'exchange',
        host: ctx.host,
        port: cfg.description.port,
        transport: 'tcp',
        protocol: 'upnp',
        probe: 'upnp-description',
        ...encodeResponse(description),
      },
    ];
  },
  async start(config, ctx) {
    const cfg = config as SsdpConfig;
    const fault = ctx.fault;
    const { answers, description } = rendered(cfg, ctx, fault);
    const open = new Set<Socket>();
    const server: Server = await startTcpResponder(ctx.host, cfg.description.port, (socket) => {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
      let buf = '';
      socket.on('data', (chunk: Buffer) => {
        if (buf.includes('\n\r\n') || buf.includes('\n\n')) return;
        buf = (buf + chunk.toString('latin1')).slice(0, 16 * 1024);
        if (!buf.includes('\n\r\n') && !buf.includes('\n\n')) return;
        const path = /^GET (\S+) HTTP\/1\.[01]/.exec(buf)?.[1];
        if (path !== cfg.description.path) {
          socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
          return;
        }
        serveDescription(socket, description, fault);
      });
    });
    const alt = await wrongSourceSocket(ctx);
    const sockets: UdpSocket[] = [];
    const listen = {
      host: ctx.host,
      port: SSDP_PORT,
      multicast: ctx.multicast,
      onMessage(msg: Buffer, rinfo: RemoteInfo, reply: (bytes: Buffer | string) => void) {
        const st = searchTarget(msg.toString('latin1'));
        if (!st || fault === 'hang') return;
        const matching = answers.filter((a) => st === 'ssdp:all' || a.st === st);
        for (const a of matching) {
          if (fault === 'wrong-source' && alt) sendTo(alt, rinfo, a.bytes);
          else if (fault === 'garbage') reply(Buffer.from([0x48, 0x54, 0x00, 0xff, 0xc3, 0x28]));
          else if (fault === 'oversize')
            reply(Buffer.concat([a.bytes.subarray(0, -2), Buffer.alloc(60_000, 0x41)]));
          else if (fault === 'duplicate') for (let i = 0; i < 3; i++) reply(a.bytes);
          else if (fault === 'flood') floodInBatches(reply, a.bytes);
          else reply(a.bytes);
        }
      },
    };
    try {
      sockets.push(await startUdpResponder({ ...listen, group: SSDP_GROUP_V4 }));
      const v6 = await startUdpResponderV6({ ...listen, group: SSDP_GROUP_V6 });
      if (v6) sockets.push(v6);
    } catch (err) {
      await runningUdp([...sockets, alt]).close();
      await closeServer(server);
      throw err;
    }
    return {
      tcpPorts: [cfg.description.port],
      close: async () => {
        await runningUdp([...sockets, alt]).close();
        for (const s of open) s.destroy();
        await closeServer(server);
      },
    };
  },
};
