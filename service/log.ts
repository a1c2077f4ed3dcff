import { pino } from 'pino';

/** JSON logs on stdout, one line per event; ids (request, transfer) are fields, never part of the message. */
export function createLogger(opts: { role: string; level: string }) {
  return pino({ level: opts.level, base: { role: opts.role, pid: process.pid } });
}

export type Logger = ReturnType<typeof createLogger>;
