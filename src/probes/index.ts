/**
 * The protocol registry (ARCHITECTURE §3): one descriptor per folder, in the order the engine
 * runs them. Everything else is derived from this list: the probe lists below, the parser table
 * (src/observations/observe.ts), the field registry (src/observations/fields.ts), the service
 * names and default ports (src/engine/ports.ts) and the exchange protocols. Adding a protocol is
 * its folder plus one line here.
 *
 * The engine runs:
 * - MULTICAST_DISCOVERY in phase 1, on the chosen interfaces;
 * - SERVICE_PROBES on open TCP ports, by the port's service;
 * - HOST_PROBES once per live host (unicast discovery for routed subnets);
 * - FOLLOW_UP_PROBES on addresses devices advertise, after the scope guard allowed them.
 */
import { banner } from './banner/index.ts';
import { dahuaLegacy } from './dahua-legacy/index.ts';
import { dahuaSdk } from './dahua-sdk/index.ts';
import type { ProtocolDescriptor } from './descriptor.ts';
import { dhip } from './dhip/index.ts';
import { document } from './document/index.ts';
import { dvrip } from './dvrip/index.ts';
import { hikSdk } from './hik-sdk/index.ts';
import { http } from './http/index.ts';
import { mdns } from './mdns/index.ts';
import { neighbour } from './neighbour/index.ts';
import { onvif } from './onvif/index.ts';
import { rtsp } from './rtsp/index.ts';
import { sadp } from './sadp/index.ts';
import { snmp } from './snmp/index.ts';
import { ssdp } from './ssdp/index.ts';
import { tcp } from './tcp/index.ts';
import type { HostProbe, MulticastDiscovery, Probe, ServiceProbe } from './types.ts';
import { upnp } from './upnp/index.ts';
import { wsd } from './wsd/index.ts';

// The first service's first port doubles as host discovery (docs/DECISIONS.md §3): keep http first.
export const PROTOCOLS = [
  http,
  dahuaSdk,
  rtsp,
  banner,
  hikSdk,
  wsd,
  dhip,
  sadp,
  mdns,
  ssdp,
  dvrip,
  dahuaLegacy,
  snmp,
  onvif,
  upnp,
  tcp,
  neighbour,
  // Last: the generic device-information reader, after every protocol's own documents.
  document,
] as const satisfies readonly ProtocolDescriptor[];

/** The field names one descriptor owns (distributes over the union of descriptors). */
type FieldsOf<D> = D extends { fields: infer F } ? keyof F : never;

/** Every registered observation field name (the union of the descriptors' own fields). */
export type FieldName = FieldsOf<(typeof PROTOCOLS)[number]> & string;

const all: readonly ProtocolDescriptor[] = PROTOCOLS;

export const MULTICAST_DISCOVERY: readonly MulticastDiscovery[] = all.flatMap((d) => d.multicast ?? []);
export const SERVICE_PROBES: readonly ServiceProbe[] = all.flatMap((d) => d.serviceProbes ?? []);
export const HOST_PROBES: readonly HostProbe[] = all.flatMap((d) => d.hostProbes ?? []);
export const FOLLOW_UP_PROBES: Readonly<Record<string, Probe>> = Object.assign(
  {},
  ...all.map((d) => d.followUps ?? {}),
);

/** Every exchange protocol some folder parses, in registry order (the exchange schema's enum). */
export const EXCHANGE_PROTOCOLS: readonly string[] = [...new Set(all.flatMap((d) => Object.keys(d.parsers)))];

/** Every probe id, for --probes / --no-probes style switches and the README table test. */
export function allProbeIds(): string[] {
  return [
    ...MULTICAST_DISCOVERY.map((d) => d.id),
    ...SERVICE_PROBES.map((p) => p.id),
    ...HOST_PROBES.map((p) => p.id),
    ...Object.values(FOLLOW_UP_PROBES).map((p) => p.id),
  ];
}
