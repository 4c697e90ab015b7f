import type { Exchange, ExchangeProtocol } from '../core/exchange.ts';
import type { Observation } from '../core/observation.ts';
import { observeFtp, observeTelnet } from '../probes/banner/parse.ts';
import { observeDahuaLegacy } from '../probes/dahua-legacy/parse.ts';
import { observeSdk } from '../probes/dahua-sdk/parse.ts';
import { observeDhip } from '../probes/dhip/parse.ts';
import { observeDvrip } from '../probes/dvrip/parse.ts';
import { observeSdkBanner } from '../probes/hik-sdk/parse.ts';
import { observeHttp } from '../probes/http/observe.ts';
import { observeMdns } from '../probes/mdns/parse.ts';
import { observeOnvif } from '../probes/onvif/parse.ts';
import { observeRtsp } from '../probes/rtsp/parse.ts';
import { observeSadp } from '../probes/sadp/parse.ts';
import { observeSnmp } from '../probes/snmp/parse.ts';
import { observeSsdp } from '../probes/ssdp/parse.ts';
import { observeUpnp } from '../probes/upnp/parse.ts';
import { observeWsd } from '../probes/wsd/parse.ts';

function observeTcp(ex: Exchange): Observation[] {
  return ex.port === undefined
    ? []
    : [{ type: 'observation', host: ex.host, port: ex.port, field: 'tcp.open_port', value: String(ex.port) }];
}

/** The parser of each protocol's exchanges (pure). Add a protocol's parser here. */
const PARSERS: Partial<Record<ExchangeProtocol, (ex: Exchange) => Observation[]>> = {
  tcp: observeTcp,
  http: observeHttp,
  tls: observeHttp,
  onvif: observeOnvif,
  wsd: observeWsd,
  mdns: observeMdns,
  ssdp: observeSsdp,
  upnp: observeUpnp,
  sadp: observeSadp,
  dvrip: observeDvrip,
  dhip: observeDhip,
  'dahua-legacy': observeDahuaLegacy,
  // Two producers record 'sdk': the Dahua realm request, and the Hikvision listener (nothing sent).
  sdk: (ex) => [...observeSdk(ex), ...observeSdkBanner(ex)],
  rtsp: observeRtsp,
  telnet: observeTelnet,
  ftp: observeFtp,
  snmp: observeSnmp,
};

/** Pure: any recorded exchange → the observations its protocol's parser finds in it. */
export function observe(ex: Exchange): Observation[] {
  return PARSERS[ex.protocol]?.(ex) ?? [];
}
