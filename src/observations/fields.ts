/**
 * The registry of observation fields: the contract between parsers (producers) and
 * fingerprint files (consumers). test/unit/fields.test.ts keeps all three in step.
 */
export const FIELDS = {
  'tcp.open_port': 'A TCP port that accepted a connection',
  'http.status_line': 'The HTTP status line, e.g. "HTTP/1.1 401 Unauthorized"',
  'http.header.server': 'The HTTP Server header',
  'http.header.name_order': 'Header names as sent, in order, comma-separated (case kept)',
  'http.title': 'The HTML <title> of the first 64 KB',
  'http.auth.realm': 'A realm from WWW-Authenticate, one observation per challenge',
  'http.auth.scheme': 'The scheme of a WWW-Authenticate challenge (Digest, Basic)',
  'http.redirect': 'A Location header of a 3xx response',
  'http.cookie.name': 'The name of a cookie the device sets',
  'http.body.marker': 'A distinctive string from the body (e.g. a script or page path)',
  'http.favicon.md5': 'MD5 of the raw favicon bytes',
  'http.favicon.mmh3': "Shodan's mmh3 of the base64 favicon",
  'tls.subject': 'Subject DN of the TLS certificate, RFC 2253-style (CN=…,O=…)',
  'tls.issuer': 'Issuer DN of the TLS certificate',
  'rtsp.header.server': 'The RTSP Server header',
  'rtsp.auth.realm': 'A realm from an RTSP WWW-Authenticate',
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
  'onvif.auth': 'Whether an ONVIF call needed credentials ("auth-required")',
  'onvif.device.manufacturer': 'GetDeviceInformation Manufacturer',
  'onvif.device.model': 'GetDeviceInformation Model',
  'onvif.device.firmware': 'GetDeviceInformation FirmwareVersion',
  'onvif.device.serial': 'GetDeviceInformation SerialNumber',
  'onvif.device.hardware_id': 'GetDeviceInformation HardwareId',
  'onvif.system_time.utc': 'UTC time the device reported in GetSystemDateAndTime (ISO 8601)',
  'onvif.service.namespace': 'A service namespace from GetServices',
  'mac.address': 'A MAC address seen for the host (neighbour table, scopes, discovery replies)',
  'mac.oui.org': 'The IEEE registrant of the MAC prefix (longest match)',
} as const;

export type FieldName = keyof typeof FIELDS;

export function isField(name: string): name is FieldName {
  return Object.hasOwn(FIELDS, name);
}
