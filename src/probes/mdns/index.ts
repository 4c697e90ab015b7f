import type { ProtocolDescriptor } from '../descriptor.ts';
import { mdnsDiscovery } from './discovery.ts';
import { MDNS_FIELDS } from './fields.ts';
import { observeMdns } from './parse.ts';
import { mdnsUnicastProbe } from './probe.ts';

/** mDNS / DNS-SD (UDP 5353). */
export const mdns = {
  id: 'mdns',
  parsers: { mdns: observeMdns },
  fields: MDNS_FIELDS,
  multicast: [mdnsDiscovery],
  hostProbes: [{ ...mdnsUnicastProbe, skipIfMulticast: 'mdns' }],
} satisfies ProtocolDescriptor;
