// The agent's logger: JSON lines on stdout (what a SIEM tails), pretty-printed when a person is
// watching a terminal. Secrets never reach a line: the paths that can carry one are redacted by
// pino itself, before any transport or file sees the line.
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

/** `destination` is for tests; the agent writes to stdout. */
export function createLogger(
  level: string,
  pretty = process.stdout.isTTY === true,
  destination?: DestinationStream,
): Logger {
  const redact = { paths: REDACT_PATHS, censor: LOG_REDACTED };
  if (destination) return pino({ level, base: { service: 'shipwatch' }, redact }, destination);
  if (pretty) {
    return pino({
      level,
      redact,
      transport: { target: 'pino-pretty', options: { colorize: true, destination: 1 } },
    });
  }
  return pino({ level, base: { service: 'shipwatch' }, redact }, pino.destination({ dest: 1, sync: false }));
}
