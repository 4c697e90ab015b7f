import { CamsweepError } from './errors.ts';

/** Every probe outcome has one of these; `null` never means "not this protocol". */
export const PROBE_STATUSES = [
  'success',
  'no-response',
  'connection-refused',
  'connection-timeout',
  'connection-reset',
  'protocol-mismatch',
  'protocol-error',
  'out-of-scope',
  'limit-exceeded',
  'unknown-error',
] as const;
export type ProbeStatus = (typeof PROBE_STATUSES)[number];

/**
 * Errors that mean "the kernel could not try", not "nobody is there". A sweep must slow down
 * and retry on these rather than report the address as absent (BENCH-BASELINE: a full
 * neighbour table makes connects fail as if the host did not exist).
 */
export const RESOURCE_ERROR_CODES = new Set([
  'EMFILE',
  'ENFILE',
  'ENOBUFS',
  'ENOMEM',
  'EAGAIN',
  'EADDRNOTAVAIL',
]);

export function errorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

export function isResourceError(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && RESOURCE_ERROR_CODES.has(code);
}

/** The one place where thrown network errors become statuses. */
export function classify(err: unknown): ProbeStatus {
  if (err instanceof CamsweepError) {
    if (err.code === 'OUT_OF_SCOPE') return 'out-of-scope';
    if (err.code === 'LIMIT_EXCEEDED') return 'limit-exceeded';
    if (err.code === 'PROTOCOL_MISMATCH') return 'protocol-mismatch';
    if (err.code === 'PROTOCOL_ERROR') return 'protocol-error';
    if (err.code === 'TIMEOUT') return 'connection-timeout';
  }
  const name = err && typeof err === 'object' && 'name' in err ? String(err.name) : '';
  if (name === 'TimeoutError' || name === 'AbortError') return 'connection-timeout';
  switch (errorCode(err)) {
    case 'ECONNREFUSED':
      return 'connection-refused';
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ABORT_ERR':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'connection-timeout';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return 'connection-reset';
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
    case 'HPE_INVALID_CONSTANT':
      return 'protocol-mismatch';
    case 'EMFILE':
    case 'ENFILE':
    case 'ENOBUFS':
    case 'ENOMEM':
      return 'limit-exceeded';
    default:
      return 'unknown-error';
  }
}
