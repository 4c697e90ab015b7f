/**
 * Lab responder for Xiongmai DVRIP discovery (UDP 34569): answers the search message (id 1530,
 * empty body) — and nothing else — with the persona's NetWork.NetCommon reply from `dvrip.yaml`,
 * framed in the 20-byte header as message 1531. Real devices answer a broadcast; the lab answers
 * unicast on the persona's address (loopback) or on the wildcard (netns).
 */

import { encodeResponse } from '../../core/exchange.ts';
import {
  buildDiscoveryRequest,
  DVRIP_DISCOVERY_PORT,
  DVRIP_HEADER_LENGTH,
  isDiscoveryRequest,
  MSG_DISCOVERY_REPLY,
} from '../../probes/dvrip/message.ts';
import { renderTemplate } from '../template.ts';
import { sendAnswer, startDiscoveryResponder } from '../udp-responder.ts';
import { replyConfigSchema } from './schema.ts';
import type { Responder, ResponderContext } from './types.ts';

export interface DvripConfig {
  provenance: { fact: string; source: string }[];
  /** The JSON body; placeholders {{host}}, {{mac}}, {{hostIpHex}} (the address as little-endian hex). */
  reply: string;
  /** Bytes after the JSON, counted in the body length. */
  trailer?: string;
}

/**
 * Faults: hang, garbage, duplicate (3 copies), flood (10,000 datagrams), oversize, invalid-utf8,
 * wrong-message (id 1530 echoed back), wrong-source (the answer comes from another local address).
 */
export type DvripFault =
  | 'hang'
  | 'garbage'
  | 'duplicate'
  | 'flood'
  | 'oversize'
  | 'invalid-utf8'
  | 'wrong-message'
  | 'wrong-source';

const schema = replyConfigSchema({ trailer: true });

export function frameDvrip(body: Buffer, messageId = MSG_DISCOVERY_REPLY): Buffer {
  const head = Buffer.alloc(DVRIP_HEADER_LENGTH);
  head.writeUInt8(0xff, 0);
  head.writeUInt8(0x01, 1);
  head.writeUInt16LE(messageId, 14);
  head.writeUInt32LE(body.length, 16);
  return Buffer.concat([head, body]);
}

export function hostIpHex(host: string): string {
  const p = host.split('.').map(Number);
  const n = ((p[3] ?? 0) << 24) | ((p[2] ?? 0) << 16) | ((p[1] ?? 0) << 8) | (p[0] ?? 0);
  return `0x${(n >>> 0).toString(16).padStart(8, '0').toUpperCase()}`;
}

function renderBody(cfg: DvripConfig, ctx: Pick<ResponderContext, 'persona' | 'host' | 'httpPort'>): Buffer {
  const json = renderTemplate(cfg.reply.trim(), {
    host: ctx.host,
    httpPort: ctx.httpPort,
    ...(ctx.persona.mac ? { mac: ctx.persona.mac } : {}),
  }).replaceAll('{{hostIpHex}}', hostIpHex(ctx.host));
  return Buffer.from(json + (cfg.trailer ?? ''), 'utf8');
}

export const dvripResponder: Responder = {
  protocol: 'dvrip',
  file: 'dvrip.yaml',
  schema,
  sampleExchanges(config, ctx) {
    return [
      {
        type: 'exchange',
        host: ctx.host,
        port: DVRIP_DISCOVERY_PORT,
        transport: 'udp',
        protocol: 'dvrip',
        probe: 'dvrip-discovery',
        request: buildDiscoveryRequest().toString('hex'),
        ...encodeResponse(frameDvrip(renderBody(config as DvripConfig, ctx))),
      },
    ];
  },
  async start(config, ctx) {
    const body = renderBody(config as DvripConfig, ctx);
    const normal = frameDvrip(body);
    const fault = ctx.fault as DvripFault | undefined;
    return startDiscoveryResponder(ctx, {
      port: DVRIP_DISCOVERY_PORT,
      normalAnswer: (msg) => (isDiscoveryRequest(msg) ? normal : undefined),
      answer(_normal, reply) {
        switch (fault) {
          case 'wrong-source':
            return;
          case 'garbage':
            reply(Buffer.from([0xff, 0x00, 0x00, 0xc3, 0x28, 0x7b]));
            return;
          case 'oversize':
            reply(frameDvrip(Buffer.from(`{"NetWork.NetCommon":{"HostName":"${'A'.repeat(60_000)}`)));
            return;
          case 'invalid-utf8':
            reply(
              frameDvrip(
                Buffer.concat([body.subarray(0, 40), Buffer.from([0xc3, 0x28, 0xff]), body.subarray(40)]),
              ),
            );
            return;
          case 'wrong-message':
            reply(frameDvrip(body, 1530));
            return;
          default:
            sendAnswer(reply, normal, fault);
        }
      },
    });
  },
};
