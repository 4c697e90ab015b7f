import { randomUUID } from 'node:crypto';

/** The two ONVIF discovery types; never both in one Probe (a target must match every listed type). */
export const WSD_TYPES = {
  nvt: { prefix: 'dn', ns: 'http://www.onvif.org/ver10/network/wsdl', name: 'NetworkVideoTransmitter' },
  device: { prefix: 'tds', ns: 'http://www.onvif.org/ver10/device/wsdl', name: 'Device' },
} as const;
export type WsdType = keyof typeof WSD_TYPES;

export const WSD_PORT = 3702;
export const WSD_GROUP_V4 = '239.255.255.250';
/** Link-local scope (PROTOCOLS.md §1.1). */
export const WSD_GROUP_V6 = 'ff02::c';

/** A WS-Discovery 2005/04 Probe (PROTOCOLS.md §1.2), on one line to stay in one datagram. */
export function buildProbe(
  type: WsdType,
  messageId = `uuid:${randomUUID()}`,
): { messageId: string; xml: string } {
  const t = WSD_TYPES[type];
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery">' +
    '<s:Header>' +
    '<a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>' +
    `<a:MessageID>${messageId}</a:MessageID>` +
    '<a:ReplyTo><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>' +
    '<a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>' +
    '</s:Header>' +
    `<s:Body><d:Probe><d:Types xmlns:${t.prefix}="${t.ns}">${t.prefix}:${t.name}</d:Types></d:Probe></s:Body>` +
    '</s:Envelope>';
  return { messageId, xml };
}
