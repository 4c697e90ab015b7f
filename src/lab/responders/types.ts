import type { Exchange } from '../../core/exchange.ts';
import type { Persona } from '../persona.ts';
import type { LabMode } from '../ports.ts';

/** How a lab serves its personas: the mode, and the knobs tests turn for WS-Discovery. */
export interface ServeOptions {
  mode: LabMode;
  /** The WS-Discovery port personas answer on (3702; tests may move it). */
  wsdPort: number;
  /** For the WS-Discovery hostile-xaddr fault: where the persona claims its device service is. */
  hostileXaddr?: string;
  /** For the WS-Discovery wrong-source fault: another local address to answer from. */
  wrongSource?: string;
}

export interface ResponderContext extends ServeOptions {
  persona: Persona;
  /** The address the persona answers on. */
  host: string;
  /** The persona's first HTTP port in this mode, for {{port:http}}. */
  httpPort: number;
  /** netns mode: join multicast groups on `host` and bind wildcard ports. */
  multicast: boolean;
  /** The persona's fault for this protocol, if any (persona.yaml `faults.<protocol>`). */
  fault?: string;
  /**
   * TCP ports the responders registered before this one listen on, so one that fills ports
   * (a silent SDK port, an answer-everything host) leaves them to their owner.
   */
  takenPorts: ReadonlySet<number>;
}

export interface RunningResponder {
  /** TCP ports it listens on (for the printed scan command). */
  tcpPorts?: number[];
  close(): Promise<void>;
}

/**
 * A lab responder for one protocol. It starts when the persona folder holds its config file
 * (`file`, e.g. `rtsp.yaml`); the config carries the protocol's responses and their provenance,
 * so protocols are added to personas without touching persona.yaml. HTTP, WS-Discovery and silent
 * TCP ports predate that: their `file` is persona.yaml and their config the loaded Persona (its
 * `services`), so they start for every persona and listen on nothing where it names no such service.
 */
export interface Responder {
  protocol: string;
  file: string;
  /** JSON Schema of the config file (validated with file:line errors). */
  schema: object;
  start(config: unknown, ctx: ResponderContext): Promise<RunningResponder>;
  /**
   * The exchanges a probe would record from this responder's normal answer (no network), so
   * test/unit/fields.test.ts sees every field the personas' protocol configs make parsers emit.
   */
  sampleExchanges?(config: unknown, ctx: Pick<ResponderContext, 'persona' | 'host' | 'httpPort'>): Exchange[];
  /**
   * The exchange protocols this config makes the persona speak, when that is not just `protocol`
   * (banners.yaml: telnet, FTP or both; persona.yaml: HTTP and ONVIF only where it has an HTTP
   * service), so the e2e tests check each one was answered.
   */
  protocols?(config: unknown): string[];
}
