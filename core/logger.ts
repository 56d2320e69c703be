// The agent's logger: JSON lines on stdout (what a SIEM tails), pretty-printed when a person is
// watching a terminal.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, pretty = process.stdout.isTTY === true): Logger {
  if (pretty) {
    return pino({ level, transport: { target: 'pino-pretty', options: { colorize: true, destination: 1 } } });
  }
  return pino({ level, base: { service: 'shipwatch' } }, pino.destination({ dest: 1, sync: false }));
}
