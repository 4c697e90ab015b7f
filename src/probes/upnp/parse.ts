import type { Exchange } from '../../core/exchange.ts';
import { responseBytes } from '../../core/exchange.ts';
import type { Observation } from '../../core/observation.ts';
import { observationsFrom } from '../../core/observation.ts';
import { parseResponse } from '../http/parse.ts';
import { parseXml, xmlPath, xmlText } from '../xml.ts';
import type { UpnpField } from './fields.ts';

/** The fields this parser may produce. */
type FieldName = UpnpField;

export const MAX_VALUE = 512;

/** The root device of a UPnP description (urn:schemas-upnp-org:device-1-0), values bounded. */
export interface UpnpDevice {
  deviceType?: string;
  friendlyName?: string;
  manufacturer?: string;
  manufacturerUrl?: string;
  modelName?: string;
  modelUrl?: string;
  modelNumber?: string;
  modelDescription?: string;
  serialNumber?: string;
  udn?: string;
  presentationUrl?: string;
}

export type UpnpParse = { ok: true; device: UpnpDevice } | { ok: false; reason: string };

const ELEMENTS: [keyof UpnpDevice, string][] = [
  ['deviceType', 'deviceType'],
  ['friendlyName', 'friendlyName'],
  ['manufacturer', 'manufacturer'],
  ['manufacturerUrl', 'manufacturerURL'],
  ['modelName', 'modelName'],
  ['modelUrl', 'modelURL'],
  ['modelNumber', 'modelNumber'],
  ['modelDescription', 'modelDescription'],
  ['serialNumber', 'serialNumber'],
  ['udn', 'UDN'],
  ['presentationUrl', 'presentationURL'],
];

/** Pure: device-description XML → the root device's fields. Entity declarations are refused. */
export function parseDescription(text: string): UpnpParse {
  const parsed = parseXml(text);
  if (!parsed.ok) return parsed;
  const device = xmlPath(parsed.doc, 'root', 'device');
  if (!device || typeof device !== 'object') return { ok: false, reason: 'not a UPnP device description' };
  const out: UpnpDevice = {};
  for (const [key, element] of ELEMENTS) {
    const value = xmlText(xmlPath(device, element))?.trim();
    if (value) out[key] = value.slice(0, MAX_VALUE);
  }
  return { ok: true, device: out };
}

/**
 * The description in an HTTP answer's body (the exchange is the raw HTTP response), or the bare
 * document when another tool recorded only the body.
 */
export function descriptionOf(bytes: Buffer): UpnpParse {
  const http = parseResponse(bytes);
  if (!http.ok) return looksLikeDescription(bytes) ? parseDescription(bytes.toString('utf8')) : http;
  if (http.response.status !== 200) return { ok: false, reason: `HTTP ${http.response.status}` };
  return parseDescription(http.response.body.toString('utf8'));
}

/** A UPnP device description by what it is: the device-1-0 namespace or a <root> with a <device>. */
export function looksLikeDescription(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 4096).toString('utf8');
  return /urn:schemas-upnp-org:device-1-0/.test(head) || /<root[\s>][\s\S]*<device[\s>]/.test(head);
}

const FIELDS: [keyof UpnpDevice, FieldName][] = [
  ['manufacturer', 'upnp.manufacturer'],
  ['modelName', 'upnp.model_name'],
  ['modelNumber', 'upnp.model_number'],
  ['serialNumber', 'upnp.serial'],
  ['friendlyName', 'upnp.friendly_name'],
  ['udn', 'upnp.udn'],
  ['deviceType', 'upnp.device_type'],
  ['modelDescription', 'upnp.model_description'],
  ['presentationUrl', 'upnp.presentation_url'],
  ['manufacturerUrl', 'upnp.manufacturer_url'],
  ['modelUrl', 'upnp.model_url'],
];

/** Pure: a recorded device-description fetch → observations. */
export function observeUpnp(ex: Exchange): Observation[] {
  return readUpnpDocument(ex, responseBytes(ex));
}

/** The observations of a device description, whatever exchange carried it (HTTP-framed or bare). */
export function readUpnpDocument(ex: Exchange, payload: Buffer): Observation[] {
  const parsed = descriptionOf(payload);
  if (!parsed.ok) return [];
  return observationsFrom(
    ex,
    FIELDS.map(([key, field]) => [field, parsed.device[key]]),
  );
}
