// The agent's logger: JSON lines on stdout (what a SIEM tails), pretty-printed when a person is
// watching a terminal. A command whose stdout is its result (`run --pcap` prints one JSON
// summary) logs to stderr instead (`fd` 2), so the two never mix.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, pretty?: boolean, fd: 1 | 2 = 1): Logger {
  const tty = pretty ?? (fd === 1 ? process.stdout : process.stderr).isTTY === true;
  if (tty) {
    return pino({ level, transport: { target: 'pino-pretty', options: { colorize: true, destination: fd } } });
  }
  return pino({ level, base: { service: 'shipwatch' } }, pino.destination({ dest: fd, sync: false }));
}
