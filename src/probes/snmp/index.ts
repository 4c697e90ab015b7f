import type { ProtocolDescriptor } from '../descriptor.ts';
import { SNMP_FIELDS } from './fields.ts';
import { observeSnmp } from './parse.ts';
import { snmpProbe } from './probe.ts';

/** SNMP v2c GET of the system group (opt-in). */
export const snmp = {
  id: 'snmp',
  parsers: { snmp: observeSnmp },
  fields: SNMP_FIELDS,
  // Opt-in (--enable snmp) and only with the user's community: never guessed.
  hostProbes: [snmpProbe],
} satisfies ProtocolDescriptor;
