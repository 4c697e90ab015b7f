/**
 * Lab responder for Dahua DHIP discovery (UDP 37810): answers DHDiscover.search with the
 * persona's client.notifyDevInfo reply from `dhip.yaml`, framed in the 32-byte DHIP header.
 * Loopback: on the persona's address; netns: on the wildcard, joined to 239.255.255.251.
 */

import type { Socket } from 'node:dgram';
import { encodeResponse } from '../../core/exchange.ts';
import { buildSearch, DHIP_GROUP_V4, DHIP_PORT, frameDhip, requestText } from '../../probes/dhip/message.ts';
import { looksLikeDhip } from '../../probes/dhip/parse.ts';
import { renderTemplate } from '../template.ts';
import { closeUdp, sendAnswer, startUdpResponder } from '../udp-responder.ts';
import { replyConfigSchema } from './schema.ts';
import type { Responder } from './types.ts';

export interface DhipConfig {
  provenance: { fact: string; source: string }[];
  /** The JSON body of the reply; placeholders {{host}}, {{mac}}, {{port:http}}. */
  reply: string;
  /** Bytes after the JSON, counted in the body length (real replies end in a line end). */
  trailer?: string;
}

/** Faults: hang (never answers), garbage, duplicate (3 copies), flood (10,000 datagrams), oversize. */
export type DhipFault = 'hang' | 'garbage' | 'duplicate' | 'flood' | 'oversize';

const schema = replyConfigSchema({ trailer: true });

function isSearch(msg: Buffer): boolean {
  return looksLikeDhip(msg) && msg.includes('DHDiscover.search');
}

function renderReply(
  cfg: DhipConfig,
  ctx: { host: string; httpPort: number; persona: { mac?: string } },
): Buffer {
  const body =
    renderTemplate(cfg.reply.trim(), {
      host: ctx.host,
      httpPort: ctx.httpPort,
      ...(ctx.persona.mac ? { mac: ctx.persona.mac } : {}),
    }) + (cfg.trailer ?? '\n');
  return frameDhip(body);
}

export const dhipResponder: Responder = {
  protocol: 'dhip',
  file: 'dhip.yaml',
  schema,
  sampleExchanges(config, ctx) {
    return [
      {
        type: 'exchange',
        host: ctx.host,
        port: DHIP_PORT,
        transport: 'udp',
        protocol: 'dhip',
        probe: 'dhip-unicast',
        request: requestText(buildSearch()),
        ...encodeResponse(renderReply(config as DhipConfig, ctx)),
      },
    ];
  },
  async start(config, ctx) {
    const normal = renderReply(config as DhipConfig, ctx);
    const fault = ctx.fault as DhipFault | undefined;
    const socket: Socket = await startUdpResponder({
      host: ctx.host,
      port: DHIP_PORT,
      group: DHIP_GROUP_V4,
      multicast: ctx.multicast,
      onMessage(msg, _rinfo, reply) {
        if (!isSearch(msg) || fault === 'hang') return;
        switch (fault) {
          case 'garbage':
            reply(Buffer.from([0x20, 0x00, 0x00, 0x00, 0x44, 0x48, 0x00, 0xff, 0xc3, 0x28]));
            return;
          case 'oversize':
            // A valid frame whose body is 60,000 bytes of unterminated JSON.
            reply(frameDhip(`{"mac":"${'A'.repeat(60_000)}`));
            return;
          default:
            sendAnswer(reply, normal, fault);
        }
      },
    });
    return { close: () => closeUdp(socket) };
  },
};
