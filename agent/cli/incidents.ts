// `shipwatch incidents [--follow] [--since T] [--container C] [--json]`: the correlated incidents
// from the state directory, oldest first, read-only (works while the agent is down, like
// `alerts`). With --follow, each new version of an incident (opened, grown, closed) follows.
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import type { Incident } from '../../alerts/incident.ts';
import { queryIncidents } from '../../alerts/incident-store.ts';
import { loadStateDir } from './lazy-config.ts';
import { printable, sinceFlag, withStateFlags, type StateFlags } from './forensic-flags.ts';

const FOLLOW_POLL_MS = 500;

function line(incident: Incident): string {
  const where = incident.containers.map((c) => c.name).join(',') || 'host';
  const story = incident.story ? ` [${incident.story.id}]` : '';
  return printable(
    `${incident.start}  ${incident.severity.padEnd(8)} ${incident.state.padEnd(6)} ${incident.id.slice(0, 12)}  ` +
      `${where}: ${incident.title} (${incident.alertCount} alerts; ${incident.tactics.join(' > ') || 'no tactic'})${story}`,
  );
}

export function incidentsCommand(): Command {
  return withStateFlags(new Command('incidents'))
    .description('print correlated incidents (oldest first), each with its severity, containers and tactics')
    .option('--container <name or id>', 'only incidents involving this container')
    .option('--json', 'one JSON incident per line, with its alerts')
    .option('-f, --follow', 'keep printing incidents as they open, grow and close')
    .action(async (flags: StateFlags & { container?: string; follow?: boolean }) => {
      const stateDir = await loadStateDir({ config: flags.config, stateDir: flags.stateDir });
      const filter = { since: sinceFlag(flags.since), container: flags.container };
      const print = (incident: Incident) =>
        process.stdout.write(`${flags.json ? JSON.stringify(incident) : line(incident)}\n`);
      const seen = new Map<string, string>();
      const version = (i: Incident) => `${i.state}/${i.alertCount}/${i.end}/${i.severity}`;
      for (const incident of queryIncidents(stateDir, filter).reverse()) {
        seen.set(incident.id, version(incident));
        print(incident);
      }
      if (!flags.follow) return;
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      while (!stop.signal.aborted) {
        await sleep(FOLLOW_POLL_MS, undefined, { signal: stop.signal }).catch(() => undefined);
        for (const incident of queryIncidents(stateDir, filter).reverse()) {
          if (seen.get(incident.id) === version(incident)) continue;
          seen.set(incident.id, version(incident));
          print(incident);
        }
      }
    });
}
