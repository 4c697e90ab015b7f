import type { ProtocolDescriptor } from '../descriptor.ts';
import { UPNP_FIELDS } from './fields.ts';
import { looksLikeDescription, observeUpnp, readUpnpDocument } from './parse.ts';
import { upnpProbe } from './probe.ts';

/** UPnP device descriptions at the LOCATION SSDP advertised. */
export const upnp = {
  id: 'upnp',
  parsers: { upnp: observeUpnp },
  fields: UPNP_FIELDS,
  followUps: { upnp: upnpProbe },
  document: { recognise: looksLikeDescription, read: readUpnpDocument },
} satisfies ProtocolDescriptor;
