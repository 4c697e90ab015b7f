/** The observation fields this protocol produces; src/observations/fields.ts merges every protocol's. */
export const WSD_FIELDS = {
  'wsd.types': 'The Types of a WS-Discovery ProbeMatch',
  'wsd.xaddr': 'An XAddr advertised in a ProbeMatch',
  'wsd.endpoint': 'The EndpointReference address of a ProbeMatch',
  'wsd.scope.name': 'The onvif://www.onvif.org/name/ scope, percent-decoded',
  'wsd.scope.hardware': 'The onvif://www.onvif.org/hardware/ scope, percent-decoded',
  'wsd.scope.location': 'A location/ scope, percent-decoded',
  'wsd.scope.mac': 'A MAC/ or MacAddress/ scope',
  'wsd.scope.type': 'A type/ scope',
  'wsd.scope.profile': 'A Profile/ scope',
  'wsd.scope.manufacturer': 'A manufacturer/ scope (non-standard, used by some makers)',
  'wsd.scope.other': 'Any other scope URI, percent-decoded',
} as const;

export type WsdField = keyof typeof WSD_FIELDS;
