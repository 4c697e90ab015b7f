import type { ProtocolDescriptor } from '../descriptor.ts';
import { RTSP_FIELDS } from './fields.ts';
import { observeRtsp } from './parse.ts';
import { rtspProbe } from './probe.ts';

/** RTSP: OPTIONS and an anonymous DESCRIBE. */
export const rtsp = {
  id: 'rtsp',
  parsers: { rtsp: observeRtsp },
  fields: RTSP_FIELDS,
  services: [{ service: 'rtsp', ports: [554, 8554] }],
  serviceProbes: [rtspProbe],
} satisfies ProtocolDescriptor;
