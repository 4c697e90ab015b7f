import type { ProtocolDescriptor } from '../descriptor.ts';
import { dhipDiscovery } from './discovery.ts';
import { DHIP_FIELDS } from './fields.ts';
import { looksLikeDhip, looksLikeDhipJson, observeDhip, readDhipDocument } from './parse.ts';
import { dhipUnicastProbe } from './probe.ts';

/** Dahua DHIP discovery (UDP 37810). */
export const dhip = {
  id: 'dhip',
  parsers: { dhip: observeDhip },
  fields: DHIP_FIELDS,
  multicast: [dhipDiscovery],
  hostProbes: [{ ...dhipUnicastProbe, skipIfMulticast: 'dhip' }],
  document: { recognise: (p) => looksLikeDhip(p) || looksLikeDhipJson(p), read: readDhipDocument },
} satisfies ProtocolDescriptor;
