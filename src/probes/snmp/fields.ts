/** The observation fields this protocol produces; src/observations/fields.ts merges every protocol's. */
export const SNMP_FIELDS = {
  'snmp.sys_descr': "SNMP sysDescr.0 (1.3.6.1.2.1.1.1.0), opt-in v2c GET with the user's community",
  'snmp.sys_object_id': 'SNMP sysObjectID.0 (1.3.6.1.2.1.1.2.0), dotted OID',
  'snmp.sys_name': 'SNMP sysName.0 (1.3.6.1.2.1.1.5.0)',
  'snmp.hikvision.model': "SNMP 1.3.6.1.4.1.39165.1.1.0: the model in Hikvision's private MIB (PEN 39165)",
} as const;

export type SnmpField = keyof typeof SNMP_FIELDS;
