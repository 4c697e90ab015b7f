/**
 * Lab responder for WS-Discovery (UDP 3702), from persona.yaml `services.wsd`: answers Probes for
 * a type the persona offers with its ProbeMatches, RelatesTo set to the Probe's MessageID.
 * Loopback: on the persona's address; netns: on the wildcard, joined to 239.255.255.250 and
 * (IPv6) ff02::c. Faults (`faults.wsd`): duplicate, entity-bomb, deep-nesting, wrong-source
 * (answers from ServeOptions.wrongSource), garbage, hostile-xaddr (XAddrs replaced by
 * ServeOptions.hostileXaddr).
 */

import type { RemoteInfo, Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WSD_GROUP_V4, WSD_GROUP_V6 } from '../../probes/wsd/message.ts';
import { PERSONA_FILE, PERSONA_SCHEMA, type PersonaFile, type WsdFault } from '../persona.ts';
import { renderTemplate } from '../template.ts';
import {
  runningUdp,
  sendAnswer,
  sendTo,
  socketOn,
  startUdpResponder,
  startUdpResponderV6,
} from '../udp-responder.ts';
import type { Responder, ResponderContext } from './types.ts';

/** Which ONVIF type a Probe asks for; an untyped Probe matches everything. */
export function requestedTypes(xml: string): { nvt: boolean; device: boolean } {
  const types = /<(?:[\w-]+:)?Types\b[^>]*>([^<]*)</.exec(xml)?.[1]?.trim() ?? '';
  if (!types) return { nvt: true, device: true };
  return { nvt: /NetworkVideoTransmitter/.test(types), device: /(^|[:\s])Device(\s|$)/.test(types) };
}

function hostileBody(fault: WsdFault, normal: string): Buffer {
  switch (fault) {
    case 'entity-bomb': {
      const ents = ['<!ENTITY a0 "lol">'];
      for (let i = 1; i < 10; i++)
        ents.push(`<!ENTITY a${i} "&a${i - 1};&a${i - 1};&a${i - 1};&a${i - 1};&a${i - 1};">`);
      return Buffer.from(
        `<?xml version="1.0"?><!DOCTYPE s [${ents.join('')}]>${normal.replace(/<\?xml[^>]*>/, '').replace('</d:Scopes>', '&a9;</d:Scopes>')}`,
      );
    }
    case 'deep-nesting':
      // As deep as one UDP datagram allows (63,007 of 65,507 bytes): 100,000 levels would be
      // 700 KB, which send() refuses with EMSGSIZE, so the fault would never reach the scanner.
      return Buffer.from(`<a>${'<b>'.repeat(9_000)}${'</b>'.repeat(9_000)}</a>`);
    case 'garbage':
      return Buffer.from([0xff, 0x00, 0x3c, 0x3f, 0x78, 0x6d, 0x6c, 0x00, 0xc3, 0x28]);
    default:
      return Buffer.from(normal);
  }
}

/** For the wrong-source fault: a socket on ServeOptions.wrongSource to answer from. */
function wrongSourceAt(ctx: ResponderContext): Promise<Socket | undefined> {
  return ctx.fault === 'wrong-source' && ctx.wrongSource
    ? socketOn(ctx.wrongSource)
    : Promise.resolve(undefined);
}

export const wsdResponder: Responder = {
  protocol: 'wsd',
  file: PERSONA_FILE,
  schema: PERSONA_SCHEMA,
  protocols: (config) => ((config as PersonaFile).services.wsd ? ['wsd'] : []),
  async start(config, ctx) {
    const wsd = (config as PersonaFile).services.wsd;
    if (!wsd) return { close: async () => {} };
    const template = readFileSync(join(ctx.persona.dir, wsd.probeMatch), 'utf8');
    const offers = new Set(wsd.types ?? ['nvt', 'device']);
    const fault = ctx.fault as WsdFault | undefined;
    const alt = await wrongSourceAt(ctx);
    const onMessage = (msg: Buffer, rinfo: RemoteInfo, reply: (bytes: Buffer | string) => void) => {
      const xml = msg.toString('utf8');
      const messageId = /<(?:[\w-]+:)?MessageID\b[^>]*>([^<]+)</.exec(xml)?.[1]?.trim();
      if (!messageId || !/discovery\/Probe</.test(xml)) return;
      const asked = requestedTypes(xml);
      if (!((asked.nvt && offers.has('nvt')) || (asked.device && offers.has('device')))) return;
      let text = renderTemplate(template, {
        host: ctx.host,
        httpPort: ctx.httpPort,
        relatesTo: messageId,
        ...(ctx.persona.mac ? { mac: ctx.persona.mac } : {}),
      });
      if (fault === 'hostile-xaddr' && ctx.hostileXaddr) {
        text = text.replace(/(<(?:[\w-]+:)?XAddrs>)[^<]*(<)/, `$1${ctx.hostileXaddr}$2`);
      }
      const body = fault ? hostileBody(fault, text) : Buffer.from(text);
      const send = alt ? (bytes: Buffer | string) => sendTo(alt, rinfo, bytes) : reply;
      // Real devices wait a random 0–500 ms (APP_MAX_DELAY) before answering; a little jitter keeps us honest.
      const delay = ctx.multicast ? Math.floor(Math.random() * 200) : 0;
      setTimeout(() => sendAnswer(send, body, fault), delay);
    };
    const listen = { host: ctx.host, port: ctx.wsdPort, multicast: ctx.multicast, onMessage };
    const socket = await startUdpResponder({ ...listen, group: WSD_GROUP_V4 });
    const v6 = await startUdpResponderV6({ ...listen, group: WSD_GROUP_V6 });
    return runningUdp([socket, v6, alt]);
  },
};
