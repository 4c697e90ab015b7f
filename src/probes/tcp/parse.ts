import type { Exchange } from '../../core/exchange.ts';
import type { Observation } from '../../core/observation.ts';

/** An open-port record of the connect sweep (no bytes exchanged): the port itself is the evidence. */
export function observeTcp(ex: Exchange): Observation[] {
  return ex.port === undefined
    ? []
    : [{ type: 'observation', host: ex.host, port: ex.port, field: 'tcp.open_port', value: String(ex.port) }];
}
