import { classify } from '../../core/status.ts';
import { udpExchange } from '../../transport/udp.ts';
import type { FollowUp, Probe, ProbeContext, ProbeOutcome, ProbeTarget } from '../types.ts';
import { recordReplyOnce } from '../udp-replies.ts';

import { buildInquiry, SADP_PORT } from './message.ts';
import { advertisedHttpUrl, parseSadp } from './parse.ts';

/** Fields a SADP reply of the lab personas carries (PROTOCOLS.md §3.1). */
export const SADP_FIELDS = [
  'sadp.types',
  'sadp.device_type',
  'sadp.device_description',
  'sadp.serial',
  'sadp.mac',
  'sadp.ipv4_address',
  'sadp.software_version',
  'sadp.dsp_version',
  'sadp.activated',
  'sadp.oem_code',
  'sadp.command_port',
  'sadp.http_port',
  'mac.address',
] as const;

/** The web port a reply advertises, on the address it advertises: a follow-up for the scope guard. */
export function sadpFollowUps(text: string): FollowUp[] {
  const parsed = parseSadp(text);
  if (!parsed.ok) return [];
  const url = advertisedHttpUrl(parsed.match);
  return url ? [{ probe: 'http', url }] : [];
}

/**
 * Unicast SADP (routed subnets, where the multicast inquiry cannot reach): the standard inquiry to
 * the host's UDP 37020, sent twice; replies count only from that host and only when they echo our
 * Uuid.
 */
export const sadpUnicastProbe: Probe = {
  id: 'sadp-unicast',
  protocol: 'sadp',
  transport: 'udp',
  defaultPorts: [SADP_PORT],
  timeoutMs: 2500,
  intrusiveness: 'safe',
  produces: [...SADP_FIELDS],
  async run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome> {
    const port = target.port ?? SADP_PORT;
    const base = { probe: this.id, host: target.host, port };
    const { uuid, xml } = buildInquiry();
    let res: Awaited<ReturnType<typeof udpExchange>>;
    try {
      res = await udpExchange(ctx.guard, target.host, port, xml, {
        signal: ctx.signal,
        windowMs: ctx.udpWindowMs,
        repeat: 2,
        done: (replies) => replies.some((r) => echoes(r.bytes, uuid)),
      });
    } catch (err) {
      return { ...base, status: classify(err) };
    }
    const followUps: FollowUp[] = [];
    const seen = new Set<string>();
    let mismatched = 0;
    for (const reply of res.replies) {
      if (!echoes(reply.bytes, uuid)) {
        mismatched += 1;
        continue;
      }
      // A device answering both copies of the inquiry says the same twice: record it once.
      const exchange = { host: target.host, port, protocol: 'sadp', probe: this.id, request: xml } as const;
      if (!recordReplyOnce(ctx, seen, exchange, reply.bytes)) continue;
      for (const f of sadpFollowUps(reply.bytes.toString('utf8')))
        if (!followUps.some((x) => x.url === f.url)) followUps.push(f);
    }
    if (seen.size > 0) return { ...base, status: 'success', ...(followUps.length ? { followUps } : {}) };
    if (mismatched > 0)
      return { ...base, status: 'protocol-error', detail: `${mismatched} replies not answering our inquiry` };
    if (res.dropped > 0)
      return {
        ...base,
        status: 'no-response',
        detail: `${res.dropped} datagrams from other addresses dropped`,
      };
    return { ...base, status: 'no-response' };
  },
};

function echoes(bytes: Buffer, uuid: string): boolean {
  const parsed = parseSadp(bytes.toString('utf8'));
  return parsed.ok && parsed.match.uuid?.toUpperCase() === uuid;
}
