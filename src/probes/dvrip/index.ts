import type { ProtocolDescriptor } from '../descriptor.ts';
import { DVRIP_FIELDS } from './fields.ts';
import { looksLikeDvripJson, observeDvrip, readDvripDocument } from './parse.ts';
import { dvripDiscoveryProbe } from './probe.ts';

/** Xiongmai DVRIP discovery (UDP 34569) and the Sofia TCP port. */
export const dvrip = {
  id: 'dvrip',
  parsers: { dvrip: observeDvrip },
  fields: DVRIP_FIELDS,
  // The Sofia/DVRIP TCP port: an open-port signal; nothing is spoken to it.
  services: [{ service: 'xm-dvrip', ports: [34567] }],
  // Unicast only: the vendor's tools broadcast this search, and camsweep never broadcasts.
  hostProbes: [dvripDiscoveryProbe],
  document: { recognise: looksLikeDvripJson, read: readDvripDocument },
} satisfies ProtocolDescriptor;
