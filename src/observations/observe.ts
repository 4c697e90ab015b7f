import type { Exchange } from '../core/exchange.ts';
import type { Observation } from '../core/observation.ts';
import { observeHttp } from '../probes/http/observe.ts';
import { observeOnvif } from '../probes/onvif/parse.ts';
import { observeWsd } from '../probes/wsd/parse.ts';

/** Pure: any recorded exchange → the observations its protocol's parser finds in it. */
export function observe(ex: Exchange): Observation[] {
  switch (ex.protocol) {
    case 'tcp':
      return ex.port === undefined
        ? []
        : [
            {
              type: 'observation',
              host: ex.host,
              port: ex.port,
              field: 'tcp.open_port',
              value: String(ex.port),
            },
          ];
    case 'http':
    case 'tls':
      return observeHttp(ex);
    case 'onvif':
      return observeOnvif(ex);
    case 'wsd':
      return observeWsd(ex);
    default:
      return [];
  }
}
