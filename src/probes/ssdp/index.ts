import type { ProtocolDescriptor } from '../descriptor.ts';
import { ssdpDiscovery } from './discovery.ts';
import { SSDP_FIELDS } from './fields.ts';
import { observeSsdp } from './parse.ts';
import { ssdpUnicastProbe } from './probe.ts';

/** SSDP (UDP 1900): M-SEARCH; LOCATION is followed by the upnp folder. */
export const ssdp = {
  id: 'ssdp',
  parsers: { ssdp: observeSsdp },
  fields: SSDP_FIELDS,
  multicast: [ssdpDiscovery],
  hostProbes: [{ ...ssdpUnicastProbe, skipIfMulticast: 'ssdp' }],
} satisfies ProtocolDescriptor;
