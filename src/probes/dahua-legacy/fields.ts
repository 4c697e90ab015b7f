/** The observation fields this protocol produces; src/observations/fields.ts merges every protocol's. */
export const DAHUA_LEGACY_FIELDS = {
  'dahua_legacy.header':
    'First 4 bytes (hex) of a complete Dahua legacy discovery reply (UDP 5050): magic B3, section-2 length, …',
  'dahua_legacy.model': 'Dahua legacy discovery (UDP 5050): the model string after the MAC in section 2',
  'dahua_legacy.name':
    'Dahua legacy discovery: the 16-byte string at 0x28 (UniversalScanner "deviceType", DahuaConsole "Hostname")',
  'dahua_legacy.serial': 'Dahua legacy discovery: SerialNo from the Key:Value lines of section 3',
  'dahua_legacy.version':
    'Dahua legacy discovery: four u16 at 0x20 as a.b.c.d (DahuaConsole "Version"), when not all 0',
  'dahua_legacy.ipv4_address': 'Dahua legacy discovery: the IPv4 address at 0x38 the device says it has',
  'dahua_legacy.http_port': 'Dahua legacy discovery: the web port at 0x5E',
  'dahua_legacy.https_port': 'Dahua legacy discovery: the HTTPS port at 0x60',
  'dahua_legacy.port': 'Dahua legacy discovery: the TCP service (DVRIP/SDK) port at 0x62, 37777 by default',
} as const;

export type DahuaLegacyField = keyof typeof DAHUA_LEGACY_FIELDS;
