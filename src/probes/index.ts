/**
 * The explicit probe registry (ARCHITECTURE §3). The engine runs:
 * - MULTICAST_DISCOVERY in phase 1, on the chosen interfaces;
 * - SERVICE_PROBES on open TCP ports, by the port's service;
 * - HOST_PROBES once per live host (unicast discovery for routed subnets);
 * - FOLLOW_UP_PROBES on addresses devices advertise, after the scope guard allowed them.
 * Adding a probe means adding it here, nowhere else in the engine.
 */
import { ftpBannerProbe, telnetBannerProbe } from './banner/probe.ts';
import { dahuaLegacyProbe } from './dahua-legacy/probe.ts';
import { dahuaSdkRealmProbe } from './dahua-sdk/probe.ts';
import { dhipDiscovery } from './dhip/discovery.ts';
import { dhipUnicastProbe } from './dhip/probe.ts';
import { dvripDiscoveryProbe } from './dvrip/probe.ts';
import { hikSdkProbe } from './hik-sdk/probe.ts';
import { httpFollowUpProbe } from './http/follow-up.ts';
import { httpProbe, httpsProbe } from './http/probe.ts';
import { mdnsDiscovery } from './mdns/discovery.ts';
import { mdnsUnicastProbe } from './mdns/probe.ts';
import { onvifProbe } from './onvif/probe.ts';
import { rtspProbe } from './rtsp/probe.ts';
import { sadpDiscovery } from './sadp/discovery.ts';
import { sadpUnicastProbe } from './sadp/probe.ts';
import { snmpProbe } from './snmp/probe.ts';
import { ssdpDiscovery } from './ssdp/discovery.ts';
import { ssdpUnicastProbe } from './ssdp/probe.ts';
import type { HostProbe, MulticastDiscovery, Probe, ServiceProbe } from './types.ts';
import { upnpProbe } from './upnp/probe.ts';
import { wsdDiscovery } from './wsd/discovery.ts';
import { wsdUnicastProbe } from './wsd/probe.ts';

export const MULTICAST_DISCOVERY: readonly MulticastDiscovery[] = [
  wsdDiscovery,
  dhipDiscovery,
  sadpDiscovery,
  mdnsDiscovery,
  ssdpDiscovery,
];

export const SERVICE_PROBES: readonly ServiceProbe[] = [
  { ...httpProbe, services: ['http'] },
  { ...httpsProbe, services: ['https'] },
  { ...dahuaSdkRealmProbe, services: ['dahua-sdk'] },
  rtspProbe,
  telnetBannerProbe,
  ftpBannerProbe,
  hikSdkProbe,
];

export const HOST_PROBES: readonly HostProbe[] = [
  { ...wsdUnicastProbe, skipIfMulticast: 'wsd' },
  { ...dhipUnicastProbe, skipIfMulticast: 'dhip' },
  { ...sadpUnicastProbe, skipIfMulticast: 'sadp' },
  { ...mdnsUnicastProbe, skipIfMulticast: 'mdns' },
  { ...ssdpUnicastProbe, skipIfMulticast: 'ssdp' },
  // Unicast only: the vendor's tools broadcast this search, and camsweep never broadcasts.
  dvripDiscoveryProbe,
  // Unicast only, like DVRIP: Dahua's tools broadcast their legacy search (UDP 5050). Not skipped
  // after a DHIP answer: it is another protocol with no multicast form in camsweep, and the cost
  // is two 32-byte datagrams per live host.
  dahuaLegacyProbe,
  // Opt-in (--enable snmp) and only with the user's community: never guessed.
  snmpProbe,
];

export const FOLLOW_UP_PROBES: Readonly<Record<string, Probe>> = {
  onvif: onvifProbe,
  http: httpFollowUpProbe,
  upnp: upnpProbe,
};

/** Every probe id, for --probes / --no-probes style switches and the README table test. */
export function allProbeIds(): string[] {
  return [
    ...MULTICAST_DISCOVERY.map((d) => d.id),
    ...SERVICE_PROBES.map((p) => p.id),
    ...HOST_PROBES.map((p) => p.id),
    ...Object.values(FOLLOW_UP_PROBES).map((p) => p.id),
  ];
}
