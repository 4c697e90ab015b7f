import { randomInt } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as DnsPacket from 'dns-packet';

/**
 * dns-packet, loaded from multicast-dns's own location: the encoder/decoder multicast-dns uses,
 * without a second copy or a direct dependency on it.
 */
const requireHere = createRequire(import.meta.url);
export const dnsPacket = createRequire(requireHere.resolve('multicast-dns'))(
  'dns-packet',
) as typeof DnsPacket;

export const MDNS_GROUP_V4 = '224.0.0.251';
export const MDNS_GROUP_V6 = 'ff02::fb';
export const MDNS_PORT = 5353;

/**
 * Service types asked for in one query (PROTOCOLS.md §5.1): Hikvision `_CGI._tcp`, Axis video and
 * NVR, generic RTSP/HTTP, `_onvif._tcp` (not seen in any source, asked for anyway), HomeKit,
 * Arecont, and the DNS-SD meta-query that lists every type a responder offers.
 */
export const SERVICE_TYPES = [
  '_CGI._tcp.local',
  '_axis-video._tcp.local',
  '_axis-nvr._tcp.local',
  '_rtsp._tcp.local',
  '_http._tcp.local',
  '_onvif._tcp.local',
  '_hap._tcp.local',
  '_arec._tcp.local',
  '_services._dns-sd._udp.local',
] as const;

export type QuestionType = 'PTR' | 'SRV' | 'TXT' | 'A';

export interface MdnsQuestion {
  name: string;
  type: QuestionType;
}

/** A non-zero query id: responders echo it in legacy unicast answers (RFC 6762 §6.7). */
export function newQueryId(): number {
  return randomInt(1, 65_536);
}

/**
 * A one-shot ("legacy unicast") DNS query, sent from an ephemeral port: RFC 6762 §6.7 has the
 * responder answer by unicast to that port, echoing the id and the questions.
 */
export function buildQuery(id: number, questions: readonly MdnsQuestion[]): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: 0,
    questions: questions.map((q) => ({ name: q.name, type: q.type, class: 'IN' })),
  });
}

/** The first round: PTR questions for every camera service type, in one packet. */
export function buildPtrQuery(id: number): Buffer {
  return buildQuery(
    id,
    SERVICE_TYPES.map((name) => ({ name, type: 'PTR' })),
  );
}
