import type { Exchange, ExchangeProtocol, ExchangeTransport } from '../core/exchange.ts';
import type { ScopeGuard } from '../core/scope.ts';
import type { ProbeStatus } from '../core/status.ts';
import type { Transport } from '../transport/transport.ts';

/** What a port is expected to speak (a descriptor's service name, or 'unknown'); decides which probes run on it. */
export type ServiceName = string;

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
  /** What the probe dials through (the network in a sweep, an in-memory peer in a test). */
  transport: Transport;
  record(exchange: Exchange): void;
  /** Unicast WS-Discovery port (3702 on real devices; the loopback lab can move it). */
  wsdPort: number;
  /** How long a UDP probe listens for replies. */
  udpWindowMs: number;
  /** Opt-in settings the user gave (credentials, SNMP community …); never logged. */
  settings: ProbeSettings;
}

/** User-supplied options some probes need. Secrets stay here and out of every log and exchange. */
export interface ProbeSettings {
  /** Probes the user switched on that are off by default (e.g. 'snmp'). */
  enabled: ReadonlySet<string>;
  /** Probes the user switched off. */
  disabled: ReadonlySet<string>;
  snmpCommunity?: string;
  /** UDP port of the SNMP GET (161 on real devices; the loopback lab moves it to 20161). */
  snmpPort?: number;
  /** Credentials per address range, from the environment or a credentials file (never argv). */
  credentials?: (host: string) => { username: string; password: string } | undefined;
}

/**
 * A device-advertised address to contact next; the engine sends it through the scope guard first.
 * `probe` names an entry of FOLLOW_UP_PROBES in src/probes/index.ts.
 */
export interface FollowUp {
  probe: string;
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
  produces: readonly string[];
  /** Off unless the user enables it (e.g. SNMP). */
  optIn?: boolean;
  run(target: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome>;
}

/**
 * A probe that runs on a TCP port the sweep found open, chosen by the port's service
 * (src/engine/ports.ts: 554 → rtsp, 8000 → hik-sdk …).
 */
export interface ServiceProbe extends Probe {
  services: readonly ServiceName[];
}

/**
 * A probe that runs once per live host (unicast UDP discovery for routed subnets). It is skipped
 * for a host that already answered the same protocol by multicast.
 */
export interface HostProbe extends Probe {
  skipIfMulticast?: ExchangeProtocol;
}

/** What one multicast discovery run sends, and how to tell our replies from strays. */
export interface MulticastRun {
  payloads: readonly (string | Buffer)[];
  /** What to send to the IPv6 group instead, when the text names the group (SSDP's HOST header). */
  payloadsV6?: readonly (string | Buffer)[];
  /** True when a reply answers one of this run's payloads (e.g. RelatesTo = our MessageID). */
  accepts(reply: Buffer): boolean;
  /** The payload a reply answers, recorded as the exchange's request. */
  requestFor(reply: Buffer): string;
  /** Replies from one responder with the same key are recorded once (repeats, both types). */
  dedupeKey(reply: Buffer): string;
  /**
   * Optional second round: a datagram to send back to an in-scope responder whose reply was
   * accepted (unicast to its address on the group port, from the same socket, so its answer is
   * collected in the same window). mDNS uses it for SRV/TXT/A queries after a PTR-only answer.
   * `from` is the responder's address, already checked by the scope guard.
   */
  followUp?(reply: Buffer, from: string): Buffer | string | undefined;
}

/** A multicast discovery protocol, run on every chosen interface in phase 1. */
export interface MulticastDiscovery {
  id: string;
  protocol: ExchangeProtocol;
  group: string;
  /** The IPv6 group, for protocols that define one (WS-Discovery and SSDP ff02::c, mDNS ff02::fb). */
  groupV6?: string;
  port: number;
  /** Also listen on the group port (SADP devices may answer to the group, not the sender). */
  listenOnGroup?: boolean;
  optIn?: boolean;
  prepare(): MulticastRun;
  /**
   * The addresses or URLs a reply advertises for the device itself (XAddrs, LOCATION, A records).
   * An IPv6 reply comes from a link-local address the user never targeted; it is kept only when
   * it speaks for an in-scope address on the segment it arrived on (see runMulticastDiscovery).
   */
  advertises?(reply: Buffer): string[];
  /** Addresses a reply advertises (XAddrs, LOCATION …): contacted only through the scope guard. */
  followUps?(exchange: Exchange): FollowUp[];
}
