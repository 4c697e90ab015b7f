import type { Exchange } from '../../core/exchange.ts';
import { responseBytes } from '../../core/exchange.ts';
import type { Observation } from '../../core/observation.ts';
import { parseXml, xmlPath, xmlText } from '../../observations/xml.ts';
import { httpLayerObservations, observationMaker } from '../http/observe.ts';
import { parseResponse } from '../http/parse.ts';

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
    if (/NotAuthorized|Unauthorized|Sender/i.test(out.fault)) out.authRequired = true;
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
  const obs = observationMaker(ex);
  const soap = parseOnvifBody(res.status, res.body.toString('utf8'));
  if (soap.authRequired) out.push(...obs('onvif.auth', 'auth-required'));
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
  return out;
}
