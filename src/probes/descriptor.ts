import type { Exchange } from '../core/exchange.ts';
import type { Observation } from '../core/observation.ts';
import type { HostProbe, MulticastDiscovery, Probe, ServiceProbe } from './types.ts';

/**
 * A document this protocol can read by what it is, whatever exchange carried it (an HTTP body, a
 * bare reply another tool logged, a UDP datagram): `payload` is the HTTP body when the exchange
 * holds an HTTP response, else the raw response.
 */
export interface DocumentReader {
  recognise(payload: Buffer): boolean;
  read(ex: Exchange, payload: Buffer): Observation[];
}

/** A TCP service a protocol claims, with the ports it is found on by default (`--ports` reads these names). */
export interface ServicePorts {
  service: string;
  ports: readonly number[];
}

/**
 * Everything one protocol folder brings: its probes, its parsers, the services and ports it
 * claims and the observation fields it owns. src/probes/index.ts lists the descriptors; the
 * parser table, DEFAULT_PORTS, the service names, the exchange protocols and the field registry
 * are all derived from that list, so adding a protocol is one folder plus one line.
 */
export interface ProtocolDescriptor {
  /** The folder's name. */
  id: string;
  /** The parser of each exchange protocol this folder reads (pure; several folders may read one). */
  parsers: Readonly<Record<string, (ex: Exchange) => Observation[]>>;
  /** The observation fields it owns: name → what the value holds. */
  fields: Readonly<Record<string, string>>;
  services?: readonly ServicePorts[];
  /** Its documents, recognised by shape in any exchange (src/observations/observe.ts routes them). */
  document?: DocumentReader;
  /** Phase 1: multicast discovery on the chosen interfaces. */
  multicast?: readonly MulticastDiscovery[];
  /** Phase 3: probes on open TCP ports, by the port's service. */
  serviceProbes?: readonly ServiceProbe[];
  /** Phase 3: probes once per live host (unicast discovery). */
  hostProbes?: readonly HostProbe[];
  /** Probes the engine runs on addresses devices advertise, after the scope guard allowed them. */
  followUps?: Readonly<Record<string, Probe>>;
}
