import type { Exchange, ExchangeProtocol } from '../core/exchange.ts';
import type { Observation } from '../core/observation.ts';
import { observeHttp } from '../probes/http/observe.ts';
import { observeOnvif } from '../probes/onvif/parse.ts';
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
};

/** Pure: any recorded exchange → the observations its protocol's parser finds in it. */
export function observe(ex: Exchange): Observation[] {
  return PARSERS[ex.protocol]?.(ex) ?? [];
}
