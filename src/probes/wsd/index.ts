import type { ProtocolDescriptor } from '../descriptor.ts';
import { wsdDiscovery } from './discovery.ts';
import { WSD_FIELDS } from './fields.ts';
import { observeWsd } from './parse.ts';
import { wsdUnicastProbe } from './probe.ts';

/** ONVIF WS-Discovery (UDP 3702): multicast Probe and a unicast Probe per live host. */
export const wsd = {
  id: 'wsd',
  parsers: { wsd: observeWsd },
  fields: WSD_FIELDS,
  multicast: [wsdDiscovery],
  hostProbes: [{ ...wsdUnicastProbe, skipIfMulticast: 'wsd' }],
} satisfies ProtocolDescriptor;
