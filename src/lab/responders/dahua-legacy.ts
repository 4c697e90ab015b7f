/**
 * Lab responder for Dahua's legacy discovery (UDP 5050): answers the 32-byte search — and nothing
 * else — with the persona's reply from `dahua-legacy.yaml`, built in the published layout
 * (src/probes/dahua-legacy/message.ts). Real devices answer a broadcast at the sender's address and
 * port; the lab answers unicast on the persona's address (loopback) or on the wildcard (netns).
 * No real reply was ever published, so every persona's reply is ASSEMBLED (its provenance says so).
 */

import { encodeResponse } from '../../core/exchange.ts';
import {
  buildReply,
  buildSearch,
  DAHUA_LEGACY_PORT,
  isSearch,
  type ReplyParts,
  requestText,
  SECTION1_LENGTH,
} from '../../probes/dahua-legacy/message.ts';
import { renderTemplate, type TemplateVars } from '../template.ts';
import { sendAnswer, startDiscoveryResponder } from '../udp-responder.ts';
import { PROVENANCE_SCHEMA } from './schema.ts';
import type { Responder, ResponderContext } from './types.ts';

export interface DahuaLegacyConfig {
  provenance: { fact: string; source: string; note?: string }[];
  /** Header byte 3 (default 0x01, as in the one real header). */
  byte3?: number;
  /** Four u16 at 0x20; omitted = zeros. */
  version?: [number, number, number, number];
  /** The 16-byte string at 0x28 (at most 15 bytes); placeholders allowed. */
  name?: string;
  mask?: string;
  gateway?: string;
  dns?: string;
  /** The web port at 0x5E; omitted = the persona's HTTP port in this lab mode ({{port:http}}). */
  httpPort?: number;
  httpsPort?: number;
  /** The TCP service port at 0x62 (37777 on Dahua). */
  tcpPort?: number;
  /** Section 2 after the persona's MAC. */
  model?: string;
  /** Section 3 `Key:Value` lines (sent CRLF-terminated); placeholders allowed. */
  lines?: string[];
}

/**
 * Faults: hang, garbage (not a 0xB3 datagram), duplicate (3 copies), flood (10,000 datagrams),
 * oversize (a consistent 60,000-byte reply: section 3 padded with one long line), invalid-utf8
 * (invalid bytes in the model), bad-length (section 3 claimed longer than the datagram),
 * wrong-source (the answer comes from another local address).
 */
export type DahuaLegacyFault =
  | 'hang'
  | 'garbage'
  | 'duplicate'
  | 'flood'
  | 'oversize'
  | 'invalid-utf8'
  | 'bad-length'
  | 'wrong-source';

const u16 = { type: 'integer', minimum: 0, maximum: 65_535 } as const;
const ipv4 = { type: 'string', pattern: '^(?:\\d{1,3}\\.){3}\\d{1,3}$' } as const;

const schema = {
  type: 'object',
  required: ['provenance'],
  additionalProperties: false,
  properties: {
    provenance: PROVENANCE_SCHEMA,
    byte3: { type: 'integer', minimum: 0, maximum: 255 },
    version: { type: 'array', items: u16, minItems: 4, maxItems: 4 },
    name: { type: 'string', maxLength: 15 },
    mask: ipv4,
    gateway: ipv4,
    dns: ipv4,
    httpPort: u16,
    httpsPort: u16,
    tcpPort: u16,
    model: { type: 'string', maxLength: 200 },
    lines: { type: 'array', items: { type: 'string', pattern: '^[^\\r\\n]*$' }, maxItems: 32 },
  },
};

type Ctx = Pick<ResponderContext, 'persona' | 'host' | 'httpPort'>;

function partsOf(cfg: DahuaLegacyConfig, ctx: Ctx): ReplyParts {
  if (!ctx.persona.mac) throw new Error(`${ctx.persona.id}: dahua-legacy.yaml needs the persona's mac`);
  const vars: TemplateVars = { host: ctx.host, httpPort: ctx.httpPort, mac: ctx.persona.mac };
  const fill = (s: string) => renderTemplate(s, vars);
  return {
    mac: ctx.persona.mac,
    ipv4: ctx.host,
    httpPort: cfg.httpPort ?? ctx.httpPort,
    ...(cfg.byte3 !== undefined ? { byte3: cfg.byte3 } : {}),
    ...(cfg.version ? { version: cfg.version } : {}),
    ...(cfg.name !== undefined ? { name: fill(cfg.name) } : {}),
    ...(cfg.mask ? { mask: cfg.mask } : {}),
    ...(cfg.gateway ? { gateway: cfg.gateway } : {}),
    ...(cfg.dns ? { dns: cfg.dns } : {}),
    ...(cfg.httpsPort !== undefined ? { httpsPort: cfg.httpsPort } : {}),
    ...(cfg.tcpPort !== undefined ? { tcpPort: cfg.tcpPort } : {}),
    ...(cfg.model !== undefined ? { model: cfg.model } : {}),
    lines: (cfg.lines ?? []).map(fill),
  };
}

function faulty(parts: ReplyParts, normal: Buffer, fault: DahuaLegacyFault | undefined): Buffer {
  switch (fault) {
    case 'garbage':
      return Buffer.from([0xa3, 0x01, 0x00, 0x01, 0xc3, 0x28, 0xff, 0x00]);
    case 'oversize': {
      const pad = 60_000 - normal.length - 'Note:'.length - 2;
      return buildReply({ ...parts, lines: [...(parts.lines ?? []), `Note:${'A'.repeat(pad)}`] });
    }
    case 'invalid-utf8': {
      const model = Buffer.from(typeof parts.model === 'string' ? parts.model : '', 'utf8');
      return buildReply({
        ...parts,
        model: Buffer.concat([model.subarray(0, 4), Buffer.from([0xc3, 0x28, 0xff]), model.subarray(4)]),
      });
    }
    case 'bad-length': {
      const b = Buffer.from(normal);
      b.writeUInt16LE(b.length - SECTION1_LENGTH + 1000, 0x14);
      return b;
    }
    default:
      return normal;
  }
}

export const dahuaLegacyResponder: Responder = {
  protocol: 'dahua-legacy',
  file: 'dahua-legacy.yaml',
  schema,
  sampleExchanges(config, ctx) {
    return [
      {
        type: 'exchange',
        host: ctx.host,
        port: DAHUA_LEGACY_PORT,
        transport: 'udp',
        protocol: 'dahua-legacy',
        probe: 'dahua-legacy-discovery',
        request: requestText(buildSearch()),
        ...encodeResponse(buildReply(partsOf(config as DahuaLegacyConfig, ctx))),
      },
    ];
  },
  async start(config, ctx) {
    const parts = partsOf(config as DahuaLegacyConfig, ctx);
    const normal = buildReply(parts);
    const fault = ctx.fault as DahuaLegacyFault | undefined;
    const answer = faulty(parts, normal, fault);
    return startDiscoveryResponder(ctx, {
      port: DAHUA_LEGACY_PORT,
      normalAnswer: (msg) => (isSearch(msg) ? normal : undefined),
      answer(_normal, reply) {
        if (fault !== 'wrong-source') sendAnswer(reply, answer, fault);
      },
    });
  },
};
