import type { ProtocolDescriptor } from '../descriptor.ts';
import { DAHUA_SDK_FIELDS } from './fields.ts';
import { observeSdk } from './parse.ts';
import { dahuaSdkRealmProbe } from './probe.ts';

/** Dahua's private SDK port (TCP 37777): the realm it names in reply to the realm request. */
export const dahuaSdk = {
  id: 'dahua-sdk',
  parsers: { sdk: observeSdk },
  fields: DAHUA_SDK_FIELDS,
  services: [{ service: 'dahua-sdk', ports: [37777] }],
  serviceProbes: [{ ...dahuaSdkRealmProbe, services: ['dahua-sdk'] }],
} satisfies ProtocolDescriptor;
