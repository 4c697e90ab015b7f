/**
 * Lab responder for Hikvision SADP (UDP 37020): answers the standard inquiry — and nothing else —
 * with the persona's ProbeMatch from `sadp.yaml`, echoing the inquiry's Uuid.
 * Loopback: on the persona's address; netns: on the wildcard, joined to 239.255.255.250.
 */

import { encodeResponse } from '../../core/exchange.ts';
import { buildInquiry, inquiryUuid, SADP_GROUP, SADP_PORT } from '../../probes/sadp/message.ts';
import { renderTemplate } from '../template.ts';
import { sendAnswer, startDiscoveryResponder } from '../udp-responder.ts';
import { replyConfigSchema } from './schema.ts';
import type { Responder, ResponderContext } from './types.ts';

export interface SadpConfig {
  provenance: { fact: string; source: string }[];
  /** The ProbeMatch XML; placeholders {{uuid}}, {{host}}, {{macDash}}, {{port:http}}. */
  reply: string;
}

/**
 * Faults: hang (never answers), garbage, duplicate (3 copies), flood (10,000 datagrams), oversize,
 * entity-bomb, deep-nesting, invalid-utf8, malformed (unescaped `&` and `<` in values, as some
 * firmware sends), wrong-source (the answer comes from another local address).
 */
export type SadpFault =
  | 'hang'
  | 'garbage'
  | 'duplicate'
  | 'flood'
  | 'oversize'
  | 'entity-bomb'
  | 'deep-nesting'
  | 'invalid-utf8'
  | 'malformed'
  | 'wrong-source';

const schema = replyConfigSchema();

function faulty(fault: SadpFault, normal: string): Buffer {
  switch (fault) {
    case 'garbage':
      return Buffer.from([0x3c, 0x50, 0x72, 0x00, 0xff, 0xfe, 0xc3, 0x28, 0x3e]);
    case 'oversize':
      // One datagram as large as UDP allows, in a value that never closes.
      return Buffer.from(`<?xml version="1.0"?><ProbeMatch><DeviceDescription>${'A'.repeat(65_000)}`);
    case 'entity-bomb': {
      const ents = ['<!ENTITY a0 "lol">'];
      for (let i = 1; i < 10; i++) ents.push(`<!ENTITY a${i} "${`&a${i - 1};`.repeat(5)}">`);
      return Buffer.from(
        `<?xml version="1.0"?><!DOCTYPE ProbeMatch [${ents.join('')}]>${normal
          .replace(/<\?xml[^>]*>/, '')
          .replace(/<DeviceDescription>/, '<DeviceDescription>&a9;')}`,
      );
    }
    case 'deep-nesting':
      return Buffer.from(`<ProbeMatch>${'<b>'.repeat(9_000)}${'</b>'.repeat(9_000)}</ProbeMatch>`);
    case 'invalid-utf8':
      return Buffer.concat([
        Buffer.from(normal.replace(/<\/DeviceDescription>/, '')),
        Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xff]),
      ]);
    case 'malformed':
      return Buffer.from(normal.replace(/<IPv4Gateway>/, '<IPv4Gateway>a & b < c'));
    default:
      return Buffer.from(normal);
  }
}

function renderReply(cfg: SadpConfig, ctx: Pick<ResponderContext, 'persona' | 'host' | 'httpPort'>): string {
  return renderTemplate(cfg.reply.trim(), {
    host: ctx.host,
    httpPort: ctx.httpPort,
    ...(ctx.persona.mac ? { mac: ctx.persona.mac } : {}),
  });
}

export const sadpResponder: Responder = {
  protocol: 'sadp',
  file: 'sadp.yaml',
  schema,
  sampleExchanges(config, ctx) {
    const { uuid, xml } = buildInquiry();
    const reply = renderReply(config as SadpConfig, ctx).replaceAll('{{uuid}}', uuid);
    return [
      {
        type: 'exchange',
        host: ctx.host,
        port: SADP_PORT,
        transport: 'udp',
        protocol: 'sadp',
        probe: 'sadp-unicast',
        request: xml,
        ...encodeResponse(Buffer.from(reply, 'utf8')),
      },
    ];
  },
  async start(config, ctx) {
    const template = renderReply(config as SadpConfig, ctx);
    const fault = ctx.fault as SadpFault | undefined;
    return startDiscoveryResponder(ctx, {
      port: SADP_PORT,
      group: SADP_GROUP,
      normalAnswer(msg) {
        // Only the standard inquiry is answered; anything else is ignored, as the devices do.
        const uuid = inquiryUuid(msg.toString('utf8'));
        return uuid ? template.replaceAll('{{uuid}}', uuid) : undefined;
      },
      answer(normal, reply) {
        if (fault === 'duplicate' || fault === 'flood') sendAnswer(reply, normal, fault);
        else reply(fault ? faulty(fault, String(normal)) : normal);
      },
    });
  },
};
