/** The observation fields this protocol produces; src/observations/fields.ts merges every protocol's. */
export const SSDP_FIELDS = {
  'ssdp.header.server': 'The SERVER header of an SSDP search answer (OS, UPnP and product tokens)',
  'ssdp.st': 'The ST (search target) of an SSDP answer (NT for a NOTIFY)',
  'ssdp.usn': 'The USN of an SSDP answer (uuid:<UDN>::<type>)',
  'ssdp.location': 'The LOCATION of an SSDP answer: the device-description URL (fetched only in scope)',
} as const;

export type SsdpField = keyof typeof SSDP_FIELDS;
