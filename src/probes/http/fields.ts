/** The observation fields this protocol produces; src/observations/fields.ts merges every protocol's. */
export const HTTP_FIELDS = {
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
} as const;

export type HttpField = keyof typeof HTTP_FIELDS;
