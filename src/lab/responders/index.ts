/** Lab responders by protocol config file (see ./types.ts). Add a responder here. */
import { bannersResponder } from './banners.ts';
import { dahuaLegacyResponder } from './dahua-legacy.ts';
import { dahuaSdkResponder } from './dahua-sdk.ts';
import { dhipResponder } from './dhip.ts';
import { dvripResponder } from './dvrip.ts';
import { mdnsResponder } from './mdns.ts';
import { rtspResponder } from './rtsp.ts';
import { sadpResponder } from './sadp.ts';
import { snmpResponder } from './snmp.ts';
import { ssdpResponder } from './ssdp.ts';
import type { Responder } from './types.ts';

export const RESPONDERS: readonly Responder[] = [
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
