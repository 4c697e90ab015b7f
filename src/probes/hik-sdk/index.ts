import type { ProtocolDescriptor } from '../descriptor.ts';
import { HIK_SDK_FIELDS } from './fields.ts';
import { observeSdkBanner } from './parse.ts';
import { hikSdkProbe } from './probe.ts';

/** Hikvision's private SDK port (TCP 8000): listened to, never spoken to. */
export const hikSdk = {
  id: 'hik-sdk',
  // Both SDK folders read 'sdk' exchanges: each parser keeps to its own replies.
  parsers: { sdk: observeSdkBanner },
  fields: HIK_SDK_FIELDS,
  services: [{ service: 'hik-sdk', ports: [8000] }],
  serviceProbes: [hikSdkProbe],
} satisfies ProtocolDescriptor;
