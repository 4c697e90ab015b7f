/**
 * The explicit probe registry (ARCHITECTURE §3). The engine runs:
 * - MULTICAST_DISCOVERY in phase 1, on the chosen interfaces;
 * - SERVICE_PROBES on open TCP ports, by the port's service;
 * - HOST_PROBES once per live host (unicast discovery for routed subnets);
 * - FOLLOW_UP_PROBES on addresses devices advertise, after the scope guard allowed them.
 * Adding a probe means adding it here, nowhere else in the engine.
 */
import { httpProbe, httpsProbe } from './http/probe.ts';
import { onvifProbe } from './onvif/probe.ts';
import type { HostProbe, MulticastDiscovery, Probe, ServiceProbe } from './types.ts';
import { wsdDiscovery } from './wsd/discovery.ts';
import { wsdUnicastProbe } from './wsd/probe.ts';

export const MULTICAST_DISCOVERY: readonly MulticastDiscovery[] = [wsdDiscovery];

export const SERVICE_PROBES: readonly ServiceProbe[] = [
  { ...httpProbe, services: ['http'] },
  { ...httpsProbe, services: ['https'] },
];

export const HOST_PROBES: readonly HostProbe[] = [{ ...wsdUnicastProbe, skipIfMulticast: 'wsd' }];

export const FOLLOW_UP_PROBES: Readonly<Record<string, Probe>> = { onvif: onvifProbe };

/** Every probe id, for --probes / --no-probes style switches and the README table test. */
export function allProbeIds(): string[] {
  return [
    ...MULTICAST_DISCOVERY.map((d) => d.id),
    ...SERVICE_PROBES.map((p) => p.id),
    ...HOST_PROBES.map((p) => p.id),
    ...Object.values(FOLLOW_UP_PROBES).map((p) => p.id),
  ];
}
