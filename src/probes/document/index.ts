import type { ProtocolDescriptor } from '../descriptor.ts';
import { DOCUMENT_FIELDS } from './fields.ts';
import { looksLikeDocument, observeDocument } from './parse.ts';

/**
 * Device-information documents read by what they are (ISAPI DeviceInfo, Dahua CGI answers, Axis
 * VAPIX, other makers' device-info XML and JSON): the last resort of the document readers, after
 * the protocol-specific ones (UPnP, ONVIF, SADP, DHIP, DVRIP) have declined.
 */
export const document = {
  id: 'document',
  parsers: {},
  fields: DOCUMENT_FIELDS,
  document: { recognise: looksLikeDocument, read: observeDocument },
} satisfies ProtocolDescriptor;
