/** The observation fields this protocol produces; src/observations/fields.ts merges every protocol's. */
export const MDNS_FIELDS = {
  'mdns.service':
    'A DNS-SD service type a responder offers, e.g. _CGI._tcp.local (PTR owner, or a _services._dns-sd._udp answer)',
  'mdns.instance':
    'A DNS-SD service instance name, full, e.g. "AXIS M2036-LE - B8A44F002036._axis-video._tcp.local"',
  'mdns.host': 'The target host name of an SRV record (Hikvision: the full serial + .local)',
  'mdns.txt': 'One TXT string of a service instance, as sent ("key=value" or a bare key)',
  'mdns.address': 'An A/AAAA address a responder gave for its host name',
} as const;

export type MdnsField = keyof typeof MDNS_FIELDS;
