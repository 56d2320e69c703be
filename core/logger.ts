// The agent's logger: JSON lines on stdout (what a SIEM tails), pretty-printed when a person is
// watching a terminal. Secrets never reach a line: the paths that can carry one are redacted by
// pino itself, before any transport or file sees the line. A command whose stdout is its result
// (`run --pcap` prints one JSON summary) logs to stderr instead (`fd` 2), so the two never mix.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export const LOG_REDACTED = '<redacted>';

/**
 * Paths that can carry a secret in a log call's object: a webhook's secret and headers (the config,
 * whole or one sink of it), request headers, credentials by their usual names. pino's paths
 * match one level per `*`, so the config's nested places are listed as they are.
 */
export const REDACT_PATHS = [
  ...['secret', 'password', 'token', 'authorization', 'cookie'].flatMap((name) => [name, `*.${name}`]),
  'headers.*',
  '*.headers.*',
  'webhooks[*].secret',
  'webhooks[*].headers.*',
  'config.webhooks[*].secret',
  'config.webhooks[*].headers.*',
  'config.fleet.password',
  'config.fleet.token',
];

/** `destination` is for tests (a stream in place of `fd`); the agent writes to stdout. */
export function createLogger(level: string, pretty?: boolean, fdOrDestination: 1 | 2 | DestinationStream = 1): Logger {
  const redact = { paths: REDACT_PATHS, censor: LOG_REDACTED };
  if (typeof fdOrDestination !== 'number')
    return pino({ level, base: { service: 'shipwatch' }, redact }, fdOrDestination);
  const fd = fdOrDestination;
  if (pretty ?? (fd === 1 ? process.stdout : process.stderr).isTTY === true) {
    return pino({
      level,
      redact,
      transport: { target: 'pino-pretty', options: { colorize: true, destination: fd } },
    });
  }
  return pino({ level, base: { service: 'shipwatch' }, redact }, pino.destination({ dest: fd, sync: false }));
}
