import { pino } from 'pino';

export type Logger = pino.Logger;

/** JSON logs on stderr; secrets never logged (credentials are redacted by path). */
export function makeLogger(level: string): Logger {
  return pino(
    {
      level,
      base: null,
      redact: {
        paths: ['password', '*.password', 'authorization', '*.authorization', 'headers.authorization'],
        censor: '[redacted]',
      },
    },
    pino.destination(2),
  );
}
