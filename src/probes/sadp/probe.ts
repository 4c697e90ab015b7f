import type { FollowUp, Probe, ProbeContext, ProbeOutcome, ProbeTarget } from '../types.ts';
import { runUnicastUdp } from '../udp-replies.ts';

import { buildInquiry, SADP_PORT } from './message.ts';
import { advertisedHttpUrl, answersInquiry, parseSadp } from './parse.ts';

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
  run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome> {
    const { uuid, xml } = buildInquiry();
    return runUnicastUdp(this, target, ctx, {
      port: SADP_PORT,
      request: xml,
      recorded: xml,
      what: 'SADP replies',
      judge: (bytes) =>
        answersInquiry(bytes, uuid) ? { ok: true, value: bytes } : { ok: false, why: 'broken' },
      followUps: (bytes) => sadpFollowUps(bytes.toString('utf8')),
    });
  },
};
