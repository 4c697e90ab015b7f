import type { Exchange } from '../../core/exchange.ts';
import type { Persona } from '../persona.ts';
import type { LabMode } from '../ports.ts';

export interface ResponderContext {
  persona: Persona;
  /** The address the persona answers on. */
  host: string;
  mode: LabMode;
  /** The persona's first HTTP port in this mode, for {{port:http}}. */
  httpPort: number;
  /** netns mode: join multicast groups on `host` and bind wildcard ports. */
  multicast: boolean;
  /** The persona's fault for this protocol, if any (persona.yaml `faults.<protocol>`). */
  fault?: string;
}

export interface RunningResponder {
  /** TCP ports it listens on (for the printed scan command). */
  tcpPorts?: number[];
  close(): Promise<void>;
}

/**
 * A lab responder for one protocol. It starts when the persona folder holds its config file
 * (`file`, e.g. `rtsp.yaml`); the config carries the protocol's responses and their provenance,
 * so protocols are added to personas without touching persona.yaml.
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
   * (banners.yaml: telnet, FTP or both), so the e2e tests check each one was answered.
   */
  protocols?(config: unknown): string[];
}
