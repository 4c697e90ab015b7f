import { randomInt } from 'node:crypto';
import { encodeResponse } from '../../core/exchange.ts';
import { classify } from '../../core/status.ts';
import type { UdpExchangeResult } from '../../transport/udp.ts';
import type { HostProbe, ProbeContext, ProbeOutcome, ProbeTarget } from '../types.ts';
import { buildGetRequest, describeRequest, SNMP_OIDS, TAG } from './message.ts';
import { parseSnmpMessage, redactCommunity } from './parse.ts';

const OIDS = Object.values(SNMP_OIDS);

/**
 * SNMP v2c GET of sysDescr, sysObjectID, sysName and Hikvision's model leaf (PROTOCOLS.md §4.7).
 * Opt-in (`--enable snmp`) and only with the community the user supplied: never guessed, never
 * `public` by default. One unicast datagram (sent twice, UDP loses packets) to the host's UDP 161;
 * replies count only from that host with our request-id. The community never reaches a recording.
 */
export const snmpProbe: HostProbe = {
  id: 'snmp',
  protocol: 'snmp',
  transport: 'udp',
  defaultPorts: [161],
  timeoutMs: 3000,
  intrusiveness: 'safe',
  optIn: true,
  produces: ['snmp.sys_descr', 'snmp.sys_object_id', 'snmp.sys_name', 'snmp.hikvision.model'],
  async run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome> {
    const port = target.port ?? ctx.settings.snmpPort ?? 161;
    const base = { probe: this.id, host: target.host, port };
    const community = ctx.settings.snmpCommunity;
    if (!community) return { ...base, status: 'no-response', detail: 'no community supplied; nothing sent' };
    const requestId = randomInt(1, 0x7fff_ffff);
    const payload = buildGetRequest(community, requestId, OIDS);
    const ours = (bytes: Buffer) => {
      const p = parseSnmpMessage(bytes);
      return p.ok && p.message.pduTag === TAG.GET_RESPONSE && p.message.requestId === requestId;
    };
    let result: UdpExchangeResult;
    try {
      result = await ctx.transport.udpExchange(ctx.guard, target.host, port, payload, {
        signal: ctx.signal,
        windowMs: ctx.udpWindowMs,
        repeat: 2,
        repeatGapMs: 200,
        maxReplies: 8,
        done: (replies) => replies.some((r) => ours(r.bytes)),
      });
    } catch (err) {
      return { ...base, status: classify(err) };
    }
    const answer = result.replies.find((r) => ours(r.bytes));
    // Keep evidence of a reply we could not read (garbage, another request-id): the first one.
    const recorded = answer ?? result.replies[0];
    if (recorded) {
      ctx.record({
        type: 'exchange',
        host: target.host,
        port,
        transport: 'udp',
        protocol: 'snmp',
        probe: this.id,
        request: describeRequest(requestId, OIDS),
        ...encodeResponse(redactCommunity(recorded.bytes, community)),
        at: new Date().toISOString(),
      });
    }
    const extra = result.replies.length - (recorded ? 1 : 0) + result.dropped;
    const detail = extra > 0 ? `; ${extra} other datagram(s) ignored` : '';
    if (answer) return { ...base, status: 'success', detail: `GetResponse${detail}` };
    if (recorded)
      return { ...base, status: 'protocol-mismatch', detail: `no GetResponse to our request${detail}` };
    return { ...base, status: 'no-response' };
  },
};
