import type { ProtocolDescriptor } from '../descriptor.ts';
import { UPNP_FIELDS } from './fields.ts';
import { observeUpnp } from './parse.ts';
import { upnpProbe } from './probe.ts';

/** UPnP device descriptions at the LOCATION SSDP advertised. */
export const upnp = {
  id: 'upnp',
  parsers: { upnp: observeUpnp },
  fields: UPNP_FIELDS,
  followUps: { upnp: upnpProbe },
} satisfies ProtocolDescriptor;
