import type { ProtocolDescriptor } from '../descriptor.ts';
import { sadpDiscovery } from './discovery.ts';
import { SADP_FIELDS } from './fields.ts';
import { looksLikeSadp, observeSadp, readSadpDocument } from './parse.ts';
import { sadpUnicastProbe } from './probe.ts';

/** Hikvision SADP (UDP 37020): the standard inquiry only. */
export const sadp = {
  id: 'sadp',
  parsers: { sadp: observeSadp },
  fields: SADP_FIELDS,
  multicast: [sadpDiscovery],
  hostProbes: [{ ...sadpUnicastProbe, skipIfMulticast: 'sadp' }],
  document: { recognise: looksLikeSadp, read: readSadpDocument },
} satisfies ProtocolDescriptor;
