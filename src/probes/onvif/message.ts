import { createHash, randomBytes } from 'node:crypto';

/** The ONVIF device-service calls we make, all read-only (Get*). */
export const ONVIF_CALLS = {
  GetSystemDateAndTime: '<GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/>',
  GetServices:
    '<GetServices xmlns="http://www.onvif.org/ver10/device/wsdl"><IncludeCapability>false</IncludeCapability></GetServices>',
  // PRE_AUTH (ONVIF-Core access classes): answered without credentials.
  GetCapabilities:
    '<GetCapabilities xmlns="http://www.onvif.org/ver10/device/wsdl"><Category>All</Category></GetCapabilities>',
  GetHostname: '<GetHostname xmlns="http://www.onvif.org/ver10/device/wsdl"/>',
  // READ_SYSTEM: most devices refuse it without credentials; some answer. Either is recorded.
  GetDeviceInformation: '<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>',
} as const;
export type OnvifCall = keyof typeof ONVIF_CALLS;

const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const DIGEST_TYPE =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';
const NONCE_ENCODING =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';

/** A WS-UsernameToken (OASIS UsernameToken Profile 1.0, PasswordDigest), as ONVIF-Core requires. */
export interface UsernameToken {
  username: string;
  password: string;
  /** ISO 8601 UTC, already corrected for the device's clock skew. */
  created: string;
  /** 16 random bytes; sent Base64-encoded. */
  nonce: Buffer;
}

/** PasswordDigest = Base64(SHA-1(nonce ‖ created ‖ password)). */
export function passwordDigest(nonce: Buffer, created: string, password: string): string {
  return createHash('sha1')
    .update(Buffer.concat([nonce, Buffer.from(created, 'utf8'), Buffer.from(password, 'utf8')]))
    .digest('base64');
}

/**
 * `Created` for a device whose clock is `skewMs` ahead of ours (device UTC − local UTC, from its
 * unauthenticated GetSystemDateAndTime): the device checks the timestamp against its own clock.
 */
export function createdFor(skewMs: number, now: number = Date.now()): string {
  return new Date(now + skewMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function newUsernameToken(username: string, password: string, skewMs: number): UsernameToken {
  return { username, password, created: createdFor(skewMs), nonce: randomBytes(16) };
}

function escapeXml(s: string): string {
  return s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

export function securityHeader(token: UsernameToken): string {
  return (
    `<wsse:Security s:mustUnderstand="1" xmlns:wsse="${WSSE}" xmlns:wsu="${WSU}"><wsse:UsernameToken>` +
    `<wsse:Username>${escapeXml(token.username)}</wsse:Username>` +
    `<wsse:Password Type="${DIGEST_TYPE}">${passwordDigest(token.nonce, token.created, token.password)}</wsse:Password>` +
    `<wsse:Nonce EncodingType="${NONCE_ENCODING}">${token.nonce.toString('base64')}</wsse:Nonce>` +
    `<wsu:Created>${token.created}</wsu:Created>` +
    '</wsse:UsernameToken></wsse:Security>'
  );
}

export function soapEnvelope(body: string, header?: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">' +
    (header ? `<s:Header>${header}</s:Header>` : '') +
    `<s:Body>${body}</s:Body></s:Envelope>`
  );
}

/** The request-target of a POST to `url`: also the `uri` an HTTP Digest answer must name. */
export function requestTarget(url: URL): string {
  return `${url.pathname || '/'}${url.search}`;
}

/**
 * A SOAP 1.2 POST of one call. `authorization` is an HTTP Authorization value (our Digest answer
 * to the device's challenge); the WS-UsernameToken, when given, stays in the body beside it.
 */
export function buildSoapPost(
  url: URL,
  call: OnvifCall,
  userAgent: string,
  token?: UsernameToken,
  authorization?: string,
): string {
  const body = soapEnvelope(ONVIF_CALLS[call], token ? securityHeader(token) : undefined);
  const tls = url.protocol === 'https:';
  const port = url.port ? Number(url.port) : tls ? 443 : 80;
  const host = `${url.hostname}${port === (tls ? 443 : 80) ? '' : `:${port}`}`;
  return (
    `POST ${requestTarget(url)} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${userAgent}\r\n` +
    (authorization ? `Authorization: ${authorization}\r\n` : '') +
    `Content-Type: application/soap+xml; charset=utf-8; action="http://www.onvif.org/ver10/device/wsdl/${call}"\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}
