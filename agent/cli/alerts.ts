// `shipwatch alerts [--follow] [--since T]`: reads the journal in the state directory directly,
// read-only. It works while the agent is down (forensics after a crash) and needs no token; it
// needs read access to the state directory instead. Output is one JSON alert per line, oldest
// first, like a log; with --follow, new alerts and repeats (same id, higher count) follow as they
// are journalled. --since is read by core's parseSince, the same reading as the API's ?since=.
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { JournalTail, journalDir, queryJournal } from '../../alerts/journal-reader.ts';
import type { Alert } from '../../alerts/alert.ts';
import { loadStateDir } from './lazy-config.ts';
import { parseSince } from '../../core/duration.ts';
import { ShipwatchError } from '../../core/errors.ts';
import { isRuleId } from '../../findings/index.ts';

interface AlertsFlags {
  config?: string;
  stateDir?: string;
  follow?: boolean;
  since?: string;
  limit?: string;
  rule?: string;
  container?: string;
}

// How often --follow looks for new lines: well under a second, negligible next to an fsync.
const FOLLOW_POLL_MS = 200;

function write(alert: Alert): void {
  process.stdout.write(`${JSON.stringify(alert)}\n`);
}

export function alertsCommand(): Command {
  return new Command('alerts')
    .description('print alerts from the journal (one JSON object per line, oldest first)')
    .option('--config <file>', 'YAML configuration file, for state_dir (SHIPWATCH_CONFIG)')
    .option('--state-dir <dir>', 'the agent state directory (default /var/lib/shipwatch)')
    .option('--since <time>', 'only alerts seen since an ISO time or a duration ago, e.g. 15m')
    .option('--limit <n>', 'at most the N most recent alerts (default 100)')
    .option('--rule <rule>', 'only this rule')
    .option('--container <name or id>', 'only this container')
    .option('-f, --follow', 'keep printing new alerts as they are journalled')
    .action(async (flags: AlertsFlags) => {
      const stateDir = await loadStateDir({ config: flags.config, stateDir: flags.stateDir });
      const since = flags.since === undefined ? undefined : (parseSince(flags.since) ?? undefined);
      if (flags.since !== undefined && since === undefined) {
        throw new ShipwatchError(
          'SW_USAGE',
          `--since: expected an ISO time or a duration like 15m, got "${flags.since}"`,
        );
      }
      const limit = flags.limit === undefined ? 100 : Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1) {
        throw new ShipwatchError('SW_USAGE', `--limit: expected a positive whole number, got "${flags.limit}"`);
      }
      if (flags.rule !== undefined && !isRuleId(flags.rule)) {
        throw new ShipwatchError('SW_USAGE', `--rule: unknown rule "${flags.rule}"`);
      }
      if (!existsSync(journalDir(stateDir))) {
        process.stderr.write(`shipwatch: no alert journal in ${stateDir} yet\n`);
      }
      const filter = { since, rule: flags.rule, container: flags.container };
      // The tail starts before the history is read: a line journalled in between may print twice, never not at all.
      const tail = flags.follow ? new JournalTail(stateDir) : null;
      for (const alert of queryJournal(stateDir, { ...filter, limit }).reverse()) write(alert);
      if (!tail) return;
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      while (!stop.signal.aborted) {
        for (const alert of tail.poll()) {
          if (filter.rule && alert.rule !== filter.rule) continue;
          if (
            filter.container &&
            alert.container?.name !== filter.container &&
            !alert.container?.id.startsWith(filter.container)
          ) {
            continue;
          }
          write(alert);
        }
        await sleep(FOLLOW_POLL_MS, undefined, { signal: stop.signal }).catch(() => undefined);
      }
    });
}
