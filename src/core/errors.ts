/** Error codes with a fixed meaning; the CLI maps USAGE/CONFIG to exit code 2. */
export type ErrorCode =
  | 'USAGE'
  | 'BAD_TARGET'
  | 'BAD_FILE'
  | 'CONFIG'
  | 'FINGERPRINT'
  | 'POLICY'
  | 'OUT_OF_SCOPE'
  | 'LIMIT_EXCEEDED'
  | 'PROTOCOL_MISMATCH'
  | 'PROTOCOL_ERROR'
  | 'TIMEOUT'
  | 'LAB'
  | 'INTERNAL';

export class CamsweepError extends Error {
  readonly code: ErrorCode;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(message);
    this.name = 'CamsweepError';
    this.code = code;
    this.context = context;
  }
}

/** Errors the user caused (bad targets, files, options): one line, exit code 2. */
export function isUserError(err: unknown): err is CamsweepError {
  return (
    err instanceof CamsweepError &&
    ['USAGE', 'BAD_TARGET', 'BAD_FILE', 'CONFIG', 'FINGERPRINT', 'POLICY'].includes(err.code)
  );
}
