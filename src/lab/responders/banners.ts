/**
 * Lab responder for services that speak first: telnet (TCP 23) and FTP (TCP 21); 20023 and 20021
 * in loopback mode. `banners.yaml` in a persona folder lists greetings, each with its port, its
 * service, its bytes (escape format below) and its provenance. On connect the responder sends the
 * greeting and then says nothing more until the client closes, as telnetd (waiting for a login
 * name) and an FTP server (waiting for USER) do. Whatever the client sends is read and ignored.
 *
 * Faults, per service (persona.yaml `faults.telnet`, `faults.ftp`, or `faults.banner` for every
 * greeting): those of writeTcpAnswer (src/lab/tcp-responder.ts). `oversize` sends the greeting's
 * first line without its line end, then 1 MiB of "A": a line that never ends.
 */

import type { Server, Socket } from 'node:net';
import { CamsweepError } from '../../core/errors.ts';
import { encodeResponse } from '../../core/exchange.ts';
import { labPort } from '../ports.ts';
import { closeServer, startTcpResponder, writeTcpAnswer } from '../tcp-responder.ts';
import { PROVENANCE_SCHEMA } from './schema.ts';
import type { Responder } from './types.ts';

export type BannerService = 'telnet' | 'ftp';

export interface Greeting {
  port: number;
  service: BannerService;
  /** The bytes on the wire, in the escape format of GREETING_PATTERN. */
  greeting: string;
  provenance: { fact: string; source: string; note?: string }[];
}

export interface BannersConfig {
  greetings: Greeting[];
}

/**
 * The greeting escape format. Printable ASCII (space to `~`) stands for itself, except the
 * backslash, which starts an escape: `\r` CR, `\n` LF, `\t` TAB, `\0` NUL, `\\` a backslash, `\xHH`
 * any byte (two hex digits). Nothing else is allowed, so every byte on the wire is spelled out and
 * the file stays ASCII. Write the value in YAML single quotes, where YAML leaves backslashes alone:
 * in double quotes YAML itself would turn `\xff` into the character U+00FF (two bytes in UTF-8) and
 * `\r\n` into control characters, which this pattern then refuses.
 */
export const GREETING_PATTERN = String.raw`^(?:[ -\[\]-~]|\\(?:[rnt0\\]|x[0-9A-Fa-f]{2}))+$`;
const GREETING_RE = new RegExp(GREETING_PATTERN, 'u');

const ESCAPES: Readonly<Record<string, number>> = { r: 0x0d, n: 0x0a, t: 0x09, '0': 0x00, '\\': 0x5c };

/** The bytes a greeting stands for; throws on text outside the escape format. */
export function decodeGreeting(text: string): Buffer {
  if (!GREETING_RE.test(text)) {
    throw new CamsweepError(
      'LAB',
      `greeting ${JSON.stringify(text.slice(0, 40))} is not in the escape format (printable ASCII, \\r \\n \\t \\0 \\\\ \\xHH)`,
    );
  }
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x5c) {
      out.push(c);
      continue;
    }
    const e = text[i + 1] ?? '';
    if (e === 'x') {
      out.push(Number.parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      out.push(ESCAPES[e] ?? 0);
      i += 1;
    }
  }
  return Buffer.from(out);
}

/** The escape-format text for some bytes (the inverse of decodeGreeting). */
export function encodeGreeting(bytes: Buffer): string {
  const named: Record<number, string> = { 13: '\\r', 10: '\\n', 9: '\\t', 0: '\\0', 92: '\\\\' };
  let out = '';
  for (const b of bytes) {
    const name = named[b];
    if (name) out += name;
    else if (b >= 0x20 && b <= 0x7e) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** The first line of a greeting without its line end (the start of an endless `oversize` line). */
function firstLine(bytes: Buffer): Buffer {
  const end = bytes.findIndex((b) => b === 0x0d || b === 0x0a);
  return end < 0 ? bytes : bytes.subarray(0, end);
}

const schema = {
  type: 'object',
  required: ['greetings'],
  additionalProperties: false,
  properties: {
    greetings: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['port', 'service', 'greeting', 'provenance'],
        additionalProperties: false,
        properties: {
          port: { type: 'integer', minimum: 1, maximum: 65535 },
          service: { enum: ['telnet', 'ftp'] },
          greeting: { type: 'string', pattern: GREETING_PATTERN },
          provenance: PROVENANCE_SCHEMA,
        },
      },
    },
  },
};

export const bannersResponder: Responder = {
  protocol: 'banner',
  file: 'banners.yaml',
  schema,
  protocols(config) {
    return [...new Set((config as BannersConfig).greetings.map((g) => g.service))];
  },
  sampleExchanges(config, ctx) {
    return (config as BannersConfig).greetings.map((g) => ({
      type: 'exchange' as const,
      host: ctx.host,
      port: g.port,
      transport: 'tcp' as const,
      protocol: g.service,
      probe: `${g.service}-banner`,
      ...encodeResponse(decodeGreeting(g.greeting)),
    }));
  },
  async start(config, ctx) {
    const { greetings } = config as BannersConfig;
    const open = new Set<Socket>();
    const servers: Server[] = [];
    const ports: number[] = [];
    const close = async () => {
      // A client that never closes would keep server.close() waiting: end them all first.
      for (const s of open) s.destroy();
      await Promise.all(servers.map(closeServer));
    };
    try {
      for (const g of greetings) {
        const port = labPort(g.port, ctx.mode);
        if (ports.includes(port)) {
          throw new CamsweepError('LAB', `${ctx.persona.id}: banners.yaml lists port ${g.port} twice`);
        }
        ports.push(port);
        const bytes = decodeGreeting(g.greeting);
        const fault = ctx.persona.faults?.[g.service] ?? ctx.fault;
        const oversizeHead = firstLine(bytes);
        servers.push(
          await startTcpResponder(ctx.host, port, (socket) => {
            open.add(socket);
            socket.once('close', () => open.delete(socket));
            // Read and drop: a login name or an FTP command gets no answer here.
            socket.resume();
            writeTcpAnswer(socket, bytes, fault, { oversizeHead });
          }),
        );
      }
    } catch (err) {
      await close();
      throw err;
    }
    return { tcpPorts: ports, close };
  },
};
