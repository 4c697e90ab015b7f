import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WSD_GROUP_V4, WSD_GROUP_V6 } from '../probes/wsd/message.ts';
import type { Persona, WsdFault } from './persona.ts';
import { renderTemplate } from './template.ts';
import { sendAnswer, startUdpResponder, startUdpResponderV6 } from './udp-responder.ts';

export interface WsdResponderOptions {
  persona: Persona;
  host: string;
  port: number;
  httpPort: number;
  /** netns mode: also join the WS-Discovery group on the persona's address. */
  multicast: boolean;
  fault?: WsdFault;
  /** For the hostile-xaddr fault: where the persona claims its device service is. */
  hostileXaddr?: string;
  /** For the wrong-source fault: another local address to answer from. */
  wrongSource?: string;
}

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

/** Answers WS-Discovery Probes with the persona's ProbeMatches, RelatesTo set to the Probe's MessageID. */
export async function startWsdResponder(opts: WsdResponderOptions): Promise<Socket[]> {
  const wsd = opts.persona.services.wsd;
  if (!wsd) return [];
  const template = readFileSync(join(opts.persona.dir, wsd.probeMatch), 'utf8');
  const offers = new Set(wsd.types ?? ['nvt', 'device']);
  let alt: Socket | undefined;
  if (opts.fault === 'wrong-source' && opts.wrongSource) {
    alt = createSocket('udp4');
    await new Promise<void>((resolve) => alt?.bind(0, opts.wrongSource, resolve));
  }
  const onMessage = (msg: Buffer, rinfo: RemoteInfo, reply: (bytes: Buffer | string) => void) => {
    const xml = msg.toString('utf8');
    const messageId = /<(?:[\w-]+:)?MessageID\b[^>]*>([^<]+)</.exec(xml)?.[1]?.trim();
    if (!messageId || !/discovery\/Probe</.test(xml)) return;
    const asked = requestedTypes(xml);
    if (!((asked.nvt && offers.has('nvt')) || (asked.device && offers.has('device')))) return;
    let text = renderTemplate(template, {
      host: opts.host,
      httpPort: opts.httpPort,
      relatesTo: messageId,
      ...(opts.persona.mac ? { mac: opts.persona.mac } : {}),
    });
    if (opts.fault === 'hostile-xaddr' && opts.hostileXaddr) {
      text = text.replace(/(<(?:[\w-]+:)?XAddrs>)[^<]*(<)/, `$1${opts.hostileXaddr}$2`);
    }
    const body = opts.fault ? hostileBody(opts.fault, text) : Buffer.from(text);
    const send =
      opts.fault === 'wrong-source' && alt
        ? (bytes: Buffer | string) => alt?.send(bytes, rinfo.port, rinfo.address, () => {})
        : reply;
    // Real devices wait a random 0–500 ms (APP_MAX_DELAY) before answering; a little jitter keeps us honest.
    const delay = opts.multicast ? Math.floor(Math.random() * 200) : 0;
    setTimeout(() => sendAnswer(send, body, opts.fault), delay);
  };
  const listen = { host: opts.host, port: opts.port, multicast: opts.multicast, onMessage };
  const socket = await startUdpResponder({ ...listen, group: WSD_GROUP_V4 });
  const v6 = await startUdpResponderV6({ ...listen, group: WSD_GROUP_V6 });
  return [socket, ...(v6 ? [v6] : []), ...(alt ? [alt] : [])];
}
