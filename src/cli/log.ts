import { pino } from 'pino';

export type Logger = pino.Logger;

const REDACT = {
  paths: [
    'password',
    '*.password',
    'authorization',
    '*.authorization',
    'headers.authorization',
    'community',
    '*.community',
  ],
  censor: '[redacted]',
};

/**
 * pino logs on stderr: JSON for machines and pipes, pino-pretty when a person watches a terminal.
 * Secrets are redacted by path whichever way they go.
 */
export function makeLogger(level: string): Logger {
  if (process.stderr.isTTY && !process.env.CAMSWEEP_LOG_JSON) {
    return pino({
      level,
      base: null,
      redact: REDACT,
      transport: { target: 'pino-pretty', options: { destination: 2, colorize: !process.env.NO_COLOR } },
    });
  }
  return pino({ level, base: null, redact: REDACT }, pino.destination(2));
}
