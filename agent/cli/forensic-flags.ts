// What the forensic commands (incidents, timeline, flows) share: the state directory flags and
// --since read by core's parseSince, the same reading as the API's ?since=.
import type { Command } from 'commander';
import { parseSince } from '../../core/duration.ts';
import { ShipwatchError } from '../../core/errors.ts';

export interface StateFlags {
  config?: string;
  stateDir?: string;
  since?: string;
  json?: boolean;
}

export function withStateFlags(command: Command): Command {
  return command
    .option('--config <file>', 'YAML configuration file, for state_dir (SHIPWATCH_CONFIG)')
    .option('--state-dir <dir>', 'the agent state directory (default /var/lib/shipwatch)')
    .option('--since <time>', 'only since an ISO time or a duration ago, e.g. 1h');
}

export function sinceFlag(since: string | undefined): number | undefined {
  if (since === undefined) return undefined;
  const time = parseSince(since);
  if (time === null)
    throw new ShipwatchError('SW_USAGE', `--since: expected an ISO time or a duration like 1h, got "${since}"`);
  return time;
}

/** One line for a person: what a control character in a container's name or argv cannot break. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
export const printable = (text: string): string => text.replace(/[\u0000-\u001f\u007f]/g, '?');
