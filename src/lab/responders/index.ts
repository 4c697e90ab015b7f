/** Lab responders by protocol config file (see ./types.ts). Add a responder here. */
import { bannersResponder } from './banners.ts';
import { dahuaLegacyResponder } from './dahua-legacy.ts';
import { dahuaSdkResponder } from './dahua-sdk.ts';
import { dhipResponder } from './dhip.ts';
import { dvripResponder } from './dvrip.ts';
import { anyPortResponder, httpResponder } from './http.ts';
import { mdnsResponder } from './mdns.ts';
import { rtspResponder } from './rtsp.ts';
import { sadpResponder } from './sadp.ts';
import { silentPortsResponder } from './silent-ports.ts';
import { snmpResponder } from './snmp.ts';
import { ssdpResponder } from './ssdp.ts';
import type { Responder } from './types.ts';
import { wsdResponder } from './wsd.ts';

/**
 * Started in this order. The first three share TCP ports by precedence: a port is HTTP where a
 * service names it, else silent where `services.tcp` names it, else the answer-everything
 * service's (each skips ResponderContext.takenPorts).
 */
export const RESPONDERS: readonly Responder[] = [
  httpResponder,
  silentPortsResponder,
  anyPortResponder,
  wsdResponder,
  mdnsResponder,
  ssdpResponder,
  dhipResponder,
  dahuaSdkResponder,
  sadpResponder,
  dvripResponder,
  dahuaLegacyResponder,
  rtspResponder,
  snmpResponder,
  bannersResponder,
];
