import type { ProtocolDescriptor } from '../descriptor.ts';
import { NEIGHBOUR_FIELDS } from './fields.ts';

/** MAC addresses (the neighbour table, discovery replies) and their IEEE registrants. */
export const neighbour = {
  id: 'neighbour',
  // MACs come from the kernel's neighbour table and from discovery replies; registrants from the IEEE.
  parsers: {},
  fields: NEIGHBOUR_FIELDS,
} satisfies ProtocolDescriptor;
