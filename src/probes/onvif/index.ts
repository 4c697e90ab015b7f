import type { ProtocolDescriptor } from '../descriptor.ts';
import { ONVIF_FIELDS } from './fields.ts';
import { looksLikeOnvifSoap, observeOnvif, readOnvifDocument } from './parse.ts';
import { onvifProbe } from './probe.ts';

/** ONVIF SOAP Get* calls on the XAddrs WS-Discovery advertised. */
export const onvif = {
  id: 'onvif',
  parsers: { onvif: observeOnvif },
  fields: ONVIF_FIELDS,
  followUps: { onvif: onvifProbe },
  document: { recognise: looksLikeOnvifSoap, read: readOnvifDocument },
} satisfies ProtocolDescriptor;
