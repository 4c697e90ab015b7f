import type { Exchange, ExchangeProtocol, ExchangeTransport } from '../core/exchange.ts';
import type { ProbeStatus } from '../core/status.ts';
import type { ScopeGuard } from '../engine/scope.ts';
import type { FieldName } from '../observations/fields.ts';

/** What a port is expected to speak; decides which probes run on it. */
export type ServiceName = 'http' | 'https' | 'rtsp' | 'hik-sdk' | 'dahua-sdk' | 'xm-dvrip' | 'unknown';

export interface ProbeTarget {
  host: string;
  port?: number;
  service?: ServiceName;
  /** For follow-ups: the advertised URL (an ONVIF XAddr), already checked by the scope guard. */
  url?: string;
}

export interface ProbeContext {
  signal: AbortSignal;
  guard: ScopeGuard;
  record(exchange: Exchange): void;
  /** Unicast WS-Discovery port (3702 on real devices; the loopback lab can move it). */
  wsdPort: number;
  /** How long a UDP probe listens for replies. */
  udpWindowMs: number;
}

/** A device-advertised address to contact next; the engine sends it through the scope guard. */
export interface FollowUp {
  probe: 'onvif';
  url: string;
}

export interface ProbeOutcome {
  probe: string;
  host: string;
  port?: number;
  status: ProbeStatus;
  detail?: string;
  followUps?: FollowUp[];
}

export interface Probe {
  id: string;
  protocol: ExchangeProtocol;
  transport: ExchangeTransport;
  defaultPorts: readonly number[];
  timeoutMs: number;
  /** 'passive' listens only; 'safe' sends standard read-only requests (rule 2). */
  intrusiveness: 'passive' | 'safe';
  produces: readonly FieldName[];
  run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome>;
}
