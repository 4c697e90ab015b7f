/**
 * Lab responder for SNMP v2c (UDP 161; loopback mode 20161, as labPort moves every port < 1024):
 * answers a GetRequest only when the community matches `snmp.yaml`'s, like an agent (a wrong
 * community is dropped silently). Requested OIDs missing from `values` answer noSuchObject.
 * The community in `snmp.yaml` is lab-made.
 */

import type { Socket } from 'node:dgram';
import { encodeResponse } from '../../core/exchange.ts';
import { describeRequest, encodeInteger, encodeOid, SNMP_OIDS, TAG, tlv } from '../../probes/snmp/message.ts';
import { parseSnmpMessage, redactCommunity } from '../../probes/snmp/parse.ts';
import { labPort } from '../ports.ts';
import { closeUdp, sendAnswer, startUdpResponder } from '../udp-responder.ts';
import { PROVENANCE_SCHEMA } from './schema.ts';
import type { Responder } from './types.ts';

export interface SnmpValue {
  type: 'string' | 'oid' | 'integer' | 'timeticks';
  value: string;
}

export interface SnmpConfig {
  provenance: { fact: string; source: string }[];
  /** Lab-made; the probe sends the user's community, the lab answers only this one. */
  community: string;
  /** OID (dotted, no leading dot) → value. */
  values: Record<string, SnmpValue>;
}

/** Faults: hang (never answers), garbage, duplicate (3 copies), flood (10,000 datagrams), oversize. */
export type SnmpFault = 'hang' | 'garbage' | 'duplicate' | 'flood' | 'oversize';

const schema = {
  type: 'object',
  required: ['provenance', 'community', 'values'],
  additionalProperties: false,
  properties: {
    provenance: PROVENANCE_SCHEMA,
    community: { type: 'string', minLength: 1, maxLength: 255 },
    values: {
      type: 'object',
      propertyNames: { pattern: '^[0-9]+(\\.[0-9]+)+$' },
      additionalProperties: {
        type: 'object',
        required: ['type', 'value'],
        additionalProperties: false,
        properties: {
          type: { enum: ['string', 'oid', 'integer', 'timeticks'] },
          value: { type: 'string' },
        },
      },
    },
  },
};

function encodeValue(v: SnmpValue | undefined): Buffer {
  if (!v) return tlv(TAG.NO_SUCH_OBJECT, Buffer.alloc(0));
  switch (v.type) {
    case 'oid':
      return encodeOid(v.value);
    case 'integer':
      return encodeInteger(Number(v.value));
    case 'timeticks':
      return tlv(TAG.TIMETICKS, encodeInteger(Number(v.value)).subarray(2));
    default:
      return tlv(TAG.OCTET_STRING, Buffer.from(v.value, 'utf8'));
  }
}

/** A GetResponse to `requestId` for `oids`, as an agent with `values` answers it. */
export function buildGetResponse(
  community: string,
  requestId: number,
  oids: readonly string[],
  values: Readonly<Record<string, SnmpValue>>,
): Buffer {
  const varbinds = oids.map((o) => tlv(TAG.SEQUENCE, Buffer.concat([encodeOid(o), encodeValue(values[o])])));
  const pdu = tlv(
    TAG.GET_RESPONSE,
    Buffer.concat([
      encodeInteger(requestId),
      encodeInteger(0),
      encodeInteger(0),
      tlv(TAG.SEQUENCE, Buffer.concat(varbinds)),
    ]),
  );
  return tlv(
    TAG.SEQUENCE,
    Buffer.concat([encodeInteger(1), tlv(TAG.OCTET_STRING, Buffer.from(community, 'utf8')), pdu]),
  );
}

export const snmpResponder: Responder = {
  protocol: 'snmp',
  file: 'snmp.yaml',
  schema,
  sampleExchanges(config, ctx) {
    const cfg = config as SnmpConfig;
    const oids = Object.values(SNMP_OIDS);
    const reply = buildGetResponse(cfg.community, 1, oids, cfg.values);
    return [
      {
        type: 'exchange',
        host: ctx.host,
        port: 161,
        transport: 'udp',
        protocol: 'snmp',
        probe: 'snmp',
        request: describeRequest(1, oids),
        ...encodeResponse(redactCommunity(reply, cfg.community)),
      },
    ];
  },
  async start(config, ctx) {
    const cfg = config as SnmpConfig;
    const fault = ctx.fault as SnmpFault | undefined;
    const socket: Socket = await startUdpResponder({
      host: ctx.host,
      port: labPort(161, ctx.mode),
      multicast: ctx.multicast,
      onMessage(msg, _rinfo, reply) {
        const req = parseSnmpMessage(msg);
        if (!req.ok || req.message.pduTag !== TAG.GET_REQUEST || req.message.version > 1) return;
        if (!req.message.community.equals(Buffer.from(cfg.community, 'utf8')) || fault === 'hang') return;
        const oids = req.message.varbinds.map((v) => v.oid);
        const normal = buildGetResponse(cfg.community, req.message.requestId, oids, cfg.values);
        switch (fault) {
          case 'garbage':
            reply(Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01]));
            return;
          case 'oversize':
            reply(
              buildGetResponse(cfg.community, req.message.requestId, oids, {
                [SNMP_OIDS.sysDescr]: { type: 'string', value: 'A'.repeat(60_000) },
              }),
            );
            return;
          default:
            sendAnswer(reply, normal, fault);
        }
      },
    });
    return { close: () => closeUdp(socket) };
  },
};
