import { type DestinationStream, pino } from 'pino';

/**
 * Personal data never reaches a log line, whatever object a caller logs: these fields are replaced
 * wherever they appear, at the top level or nested up to two objects deep.
 */
export const REDACTED_FIELDS = ['email', 'phone'] as const;
const redactPaths = REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

/** JSON logs on stdout, one line per event; ids (request, transfer) are fields, never part of the message. */
export function createLogger(opts: { role: string; level: string; destination?: DestinationStream }) {
  return pino(
    {
      level: opts.level,
      base: { role: opts.role, pid: process.pid },
      redact: { paths: redactPaths, censor: '[redacted]' },
    },
    opts.destination,
  );
}

export type Logger = ReturnType<typeof createLogger>;
