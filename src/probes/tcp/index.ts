import type { ProtocolDescriptor } from '../descriptor.ts';
import { TCP_FIELDS } from './fields.ts';
import { observeTcp } from './parse.ts';

/** The connect sweep's open-port records (the engine dials; nothing is parsed but the port). */
export const tcp = {
  id: 'tcp',
  parsers: { tcp: observeTcp },
  fields: TCP_FIELDS,
} satisfies ProtocolDescriptor;
