import { tcpExchange } from './tcp.ts';
import { udpExchange } from './udp.ts';

/**
 * What a probe dials through, carried by its context (probes never import the socket functions):
 * the engine passes the network one, a test can pass an in-memory one and run a probe without a
 * socket. Both take the scope guard first and must ask it before anything else.
 */
export interface Transport {
  tcpExchange: typeof tcpExchange;
  udpExchange: typeof udpExchange;
}

export const networkTransport: Transport = { tcpExchange, udpExchange };
