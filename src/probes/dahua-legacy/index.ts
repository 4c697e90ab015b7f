import type { ProtocolDescriptor } from '../descriptor.ts';
import { DAHUA_LEGACY_FIELDS } from './fields.ts';
import { observeDahuaLegacy } from './parse.ts';
import { dahuaLegacyProbe } from './probe.ts';

/** Dahua's legacy discovery (UDP 5050). */
export const dahuaLegacy = {
  id: 'dahua-legacy',
  parsers: { 'dahua-legacy': observeDahuaLegacy },
  fields: DAHUA_LEGACY_FIELDS,
  // Unicast only, like DVRIP: Dahua's tools broadcast their legacy search (UDP 5050). Not skipped
  // after a DHIP answer: it is another protocol with no multicast form in camsweep, and the cost
  // is two 32-byte datagrams per live host.
  hostProbes: [dahuaLegacyProbe],
} satisfies ProtocolDescriptor;
