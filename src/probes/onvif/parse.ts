import type { Exchange } from '../../core/exchange.ts';
import { responseBytes } from '../../core/exchange.ts';
import type { Observation } from '../../core/observation.ts';
import { observationMaker } from '../../core/observation.ts';
import { httpLayerObservations } from '../http/observe.ts';
import { parseResponse } from '../http/parse.ts';
import { parseXml, xmlPath, xmlText } from '../xml.ts';

export interface OnvifParse {
  authRequired: boolean;
  fault?: string;
  deviceInformation?: {
    manufacturer?: string;
    model?: string;
    firmware?: string;
    serial?: string;
    hardwareId?: string;
  };
  utc?: string;
  serviceNamespaces: string[];
  /** GetHostname HostnameInformation/Name. */
  hostname?: string;
  /** GetStreamUri MediaUri/Uri: path and query only (the device's stream naming, not its address). */
  streamPath?: string;
  /** GetCapabilities: the device service XAddr and the non-standard namespaces the reply declares. */
  capabilities?: { deviceXAddr?: string; extensionNamespaces: string[] };
}

const MAX_TEXT = 256;
const MAX_NAMESPACES = 16;
/** Namespaces every ONVIF reply may declare: SOAP, WS-*, XML Schema, ONVIF's own, gSOAP's tempuri. */
const STANDARD_NS =
  /^https?:\/\/(?:www\.w3\.org\/|schemas\.xmlsoap\.org\/|docs\.oasis-open\.org\/|www\.onvif\.org\/ver\d+\/|tempuri\.org\/)/i;

/** Namespace URIs declared in the raw reply that are not SOAP, WS-* or ONVIF: vendor extensions. */
function extensionNamespaces(body: string): string[] {
  const out: string[] = [];
  let scanned = 0;
  for (const m of body.matchAll(/\bxmlns(?::[\w.-]{1,64})?\s*=\s*["']([^"'<>]{1,512})["']/g)) {
    if (++scanned > 1024 || out.length >= MAX_NAMESPACES) break;
    const uri = (m[1] ?? '').trim().slice(0, MAX_TEXT);
    if (uri && !STANDARD_NS.test(uri) && !out.includes(uri)) out.push(uri);
  }
  return out;
}

function pad(n: string | undefined): string {
  return (n ?? '0').padStart(2, '0');
}

/** Pure: parses a SOAP response body; namespace prefixes vary by vendor (tds:, tt:, default). */
export function parseOnvifBody(status: number, body: string): OnvifParse {
  const out: OnvifParse = { authRequired: status === 401, serviceNamespaces: [] };
  const parsed = parseXml(body);
  if (!parsed.ok) return out;
  const b = xmlPath(parsed.doc.Envelope, 'Body');
  if (!b) return out;
  const fault = xmlPath(b, 'Fault');
  if (fault) {
    const sub =
      xmlText(xmlPath(fault, 'Code', 'Subcode', 'Subcode', 'Value')) ??
      xmlText(xmlPath(fault, 'Code', 'Subcode', 'Value')) ??
      xmlText(xmlPath(fault, 'Code', 'Value'));
    out.fault = sub ?? 'fault';
    // ONVIF Core: UsernameToken-only devices answer 400 + ter:NotAuthorized: "auth required", not an error.
    // WS-Security faults (FailedAuthentication, InvalidSecurityToken) answer a rejected UsernameToken.
    if (/NotAuthorized|Unauthorized|FailedAuthentication|InvalidSecurity|Sender/i.test(out.fault))
      out.authRequired = true;
    return out;
  }
  const info = xmlPath(b, 'GetDeviceInformationResponse');
  if (info) {
    const t = (k: string) => xmlText(xmlPath(info, k))?.slice(0, 256);
    const di: NonNullable<OnvifParse['deviceInformation']> = {};
    const m = t('Manufacturer');
    const mo = t('Model');
    const fw = t('FirmwareVersion');
    const sn = t('SerialNumber');
    const hw = t('HardwareId');
    if (m) di.manufacturer = m;
    if (mo) di.model = mo;
    if (fw) di.firmware = fw;
    if (sn) di.serial = sn;
    if (hw) di.hardwareId = hw;
    out.deviceInformation = di;
  }
  const utc = xmlPath(b, 'GetSystemDateAndTimeResponse', 'SystemDateAndTime', 'UTCDateTime');
  if (utc) {
    const d = (k: string) => xmlText(xmlPath(utc, 'Date', k));
    const tm = (k: string) => xmlText(xmlPath(utc, 'Time', k));
    const year = d('Year');
    const parts = [d('Month'), d('Day'), tm('Hour') ?? '0', tm('Minute') ?? '0', tm('Second') ?? '0'];
    if (year && /^\d{4}$/.test(year) && parts.every((p) => p !== undefined && /^\d{1,2}$/.test(p))) {
      const [mo = 0, day = 0, h = 0, mi = 0, sec = 0] = parts.map(Number);
      const at = new Date(Date.UTC(Number(year), mo - 1, day, h, mi, sec));
      // Only a real instant: month 13, 31 February or hour 24 would silently roll over.
      const real =
        at.getUTCMonth() === mo - 1 &&
        at.getUTCDate() === day &&
        at.getUTCHours() === h &&
        at.getUTCMinutes() === mi &&
        at.getUTCSeconds() === sec;
      if (real) {
        out.utc = `${year}-${pad(parts[0])}-${pad(parts[1])}T${pad(parts[2])}:${pad(parts[3])}:${pad(parts[4])}Z`;
      }
    }
  }
  const host = xmlText(xmlPath(b, 'GetHostnameResponse', 'HostnameInformation', 'Name'));
  if (host?.trim()) out.hostname = host.trim().slice(0, MAX_TEXT);
  const uri = xmlText(xmlPath(b, 'GetStreamUriResponse', 'MediaUri', 'Uri'))?.trim();
  const path = uri ? /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/[^\s]*)$/i.exec(uri)?.[1] : undefined;
  if (path) out.streamPath = path.replaceAll('&amp;', '&').slice(0, MAX_TEXT);
  const caps = xmlPath(b, 'GetCapabilitiesResponse', 'Capabilities');
  if (caps) {
    const xaddr = xmlText(xmlPath(caps, 'Device', 'XAddr'))?.trim();
    out.capabilities = { extensionNamespaces: extensionNamespaces(body) };
    if (xaddr) out.capabilities.deviceXAddr = xaddr.slice(0, MAX_TEXT);
  }
  const services = xmlPath(b, 'GetServicesResponse', 'Service');
  if (Array.isArray(services)) {
    for (const s of services.slice(0, 32)) {
      const ns = xmlText(xmlPath(s, 'Namespace'));
      if (ns) out.serviceNamespaces.push(ns.slice(0, 256));
    }
  }
  return out;
}

/** Pure: a recorded ONVIF SOAP exchange → observations (HTTP layer and SOAP content). */
export function observeOnvif(ex: Exchange): Observation[] {
  const parsed = parseResponse(responseBytes(ex));
  if (!parsed.ok || parsed.response.kind !== 'http') return [];
  const res = parsed.response;
  const out = httpLayerObservations(ex, res).filter((o) => o.field !== 'http.header.name_order');
  // A 401 with a Digest challenge is the HTTP layer asking; a SOAP token beside no Authorization
  // header was never looked at, so it was not refused either.
  const digestAsked = res.status === 401 && res.challenges.some((c) => /^digest$/i.test(c.scheme));
  out.push(...soapObservations(ex, res.status, res.body.toString('utf8'), digestAsked));
  return out;
}

/** An ONVIF SOAP answer by what it is: an Envelope whose Body holds a Get…Response or a Fault. */
export function looksLikeOnvifSoap(payload: Buffer): boolean {
  const head = payload.subarray(0, 8192).toString('utf8');
  return (
    /<(?:[\w-]+:)?Envelope[\s>]/.test(head) &&
    /<(?:[\w-]+:)?(?:Get\w+Response|Fault)[\s>]/.test(payload.toString('utf8'))
  );
}

/** The SOAP content of an answer (HTTP status given, or 200 for a body another tool recorded alone). */
function soapObservations(ex: Exchange, status: number, body: string, digestAsked = false): Observation[] {
  const out: Observation[] = [];
  const obs = observationMaker(ex);
  const soap = parseOnvifBody(status, body);
  // A credentialed call is recognisable by its (redacted) UsernameToken in the recorded request;
  // its credentials were checked unless the HTTP layer asked for Digest and got no answer yet.
  const credentialed = /<(?:[\w-]+:)?UsernameToken\b/.test(ex.request ?? '');
  const checked = credentialed && !(digestAsked && !/^Authorization:/im.test(ex.request ?? ''));
  if (soap.authRequired) out.push(...obs('onvif.auth', checked ? 'credentials-rejected' : 'auth-required'));
  else if (credentialed && soap.deviceInformation) out.push(...obs('onvif.auth', 'authenticated'));
  const di = soap.deviceInformation;
  if (di) {
    out.push(...obs('onvif.device.manufacturer', di.manufacturer));
    out.push(...obs('onvif.device.model', di.model));
    out.push(...obs('onvif.device.firmware', di.firmware));
    out.push(...obs('onvif.device.serial', di.serial));
    out.push(...obs('onvif.device.hardware_id', di.hardwareId));
  }
  out.push(...obs('onvif.system_time.utc', soap.utc));
  for (const ns of soap.serviceNamespaces) out.push(...obs('onvif.service.namespace', ns));
  out.push(...obs('onvif.hostname', soap.hostname));
  out.push(...obs('onvif.stream_uri_path', soap.streamPath));
  out.push(...obs('onvif.capabilities.device_xaddr', soap.capabilities?.deviceXAddr));
  for (const ns of soap.capabilities?.extensionNamespaces ?? [])
    out.push(...obs('onvif.capabilities.extension_ns', ns));
  return out;
}

/** An ONVIF answer found in any exchange: `payload` is the SOAP body. */
export function readOnvifDocument(ex: Exchange, payload: Buffer): Observation[] {
  return soapObservations(ex, 200, payload.toString('utf8'));
}
