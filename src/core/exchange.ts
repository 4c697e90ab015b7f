/**
 * The protocol an exchange carries: one a probe descriptor parses (src/probes/index.ts derives
 * the list; the exchange schema's enum is pinned to it by a test).
 */
export type ExchangeProtocol = string;
export type ExchangeTransport = 'tcp' | 'tls' | 'udp' | 'multicast';

export interface TlsInfo {
  subject: string;
  issuer: string;
  serial?: string;
  sha256?: string;
  validFrom?: string;
  validTo?: string;
}

/**
 * What a probe sent and what came back, raw. Parsers turn exchanges into observations, so a
 * recorded sweep can be re-identified later (`identify --from`).
 */
export interface Exchange {
  type: 'exchange';
  host: string;
  port?: number;
  transport: ExchangeTransport;
  protocol: ExchangeProtocol;
  probe?: string;
  /** For multicast replies: the address the reply came from, when it differs from `host`. */
  source?: string;
  request?: string;
  response: string;
  encoding: 'utf8' | 'base64';
  at?: string;
  tls?: TlsInfo;
}

export function responseBytes(ex: Exchange): Buffer {
  return ex.encoding === 'base64' ? Buffer.from(ex.response, 'base64') : Buffer.from(ex.response, 'utf8');
}

/** Encodes raw bytes as utf8 when they round-trip, else base64, so nothing is lost. */
export function encodeResponse(bytes: Buffer): Pick<Exchange, 'response' | 'encoding'> {
  const text = bytes.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(bytes)) return { response: text, encoding: 'utf8' };
  return { response: bytes.toString('base64'), encoding: 'base64' };
}
