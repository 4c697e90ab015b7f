/** The ONVIF device-service calls we make, all read-only (Get*). */
export const ONVIF_CALLS = {
  GetSystemDateAndTime: '<GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/>',
  GetServices:
    '<GetServices xmlns="http://www.onvif.org/ver10/device/wsdl"><IncludeCapability>false</IncludeCapability></GetServices>',
  // READ_SYSTEM: most devices refuse it without credentials; some answer. Either is recorded.
  GetDeviceInformation: '<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>',
} as const;
export type OnvifCall = keyof typeof ONVIF_CALLS;

export function soapEnvelope(body: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>${body}</s:Body></s:Envelope>`
  );
}

export function buildSoapPost(url: URL, call: OnvifCall, userAgent: string): string {
  const body = soapEnvelope(ONVIF_CALLS[call]);
  const tls = url.protocol === 'https:';
  const port = url.port ? Number(url.port) : tls ? 443 : 80;
  const host = `${url.hostname}${port === (tls ? 443 : 80) ? '' : `:${port}`}`;
  return (
    `POST ${url.pathname || '/'}${url.search} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${userAgent}\r\n` +
    `Content-Type: application/soap+xml; charset=utf-8; action="http://www.onvif.org/ver10/device/wsdl/${call}"\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}
