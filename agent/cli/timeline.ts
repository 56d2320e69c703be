// `shipwatch timeline CONTAINER [--since T] [--json]`: what shipwatch saw of one container (id,
// id prefix or name), oldest first, from its timeline in the state directory: it works for a
// removed container and while the agent is down.
import { Command } from 'commander';
import { readTimeline } from '../../alerts/timeline.ts';
import type { TimelineEntry } from '../../alerts/timeline-entry.ts';
import { ShipwatchError } from '../../core/errors.ts';
import { loadStateDir } from './lazy-config.ts';
import { printable, sinceFlag, withStateFlags, type StateFlags } from './forensic-flags.ts';

type Endpoint = { ip: string; port: number | null; container: string | null; dns: string | null };
const end = (e: Endpoint) => `${e.container ?? e.dns ?? e.ip}${e.port === null ? '' : `:${e.port}`}`;

/** The entry's one-line description, by kind. */
export function describeEntry(entry: TimelineEntry): string {
  const e = entry as Record<string, unknown>;
  switch (entry.kind) {
    case 'exec':
      return `exec ${String(e.exe)} ${(e.argv as string[]).join(' ')} (pid ${String(e.pid)}, uid ${String(e.uid)})`;
    case 'file':
      return `file ${String(e.op)} ${String(e.path)}${e.preexisting ? ' (before shipwatch watched)' : ''}`;
    case 'flow.start':
    case 'flow.end':
      return (
        `${entry.kind} ${String(e.protocol)} ${end(e.src as Endpoint)} -> ${end(e.dst as Endpoint)} on ${String(e.network)}` +
        (entry.kind === 'flow.end'
          ? ` ${String(e.bytesOut)}/${String(e.bytesIn)} bytes out/in, ${String(e.state)}`
          : '')
      );
    case 'docker':
      return `docker ${String(e.action)}${typeof e.network === 'string' ? ` ${e.network}` : ''}${e.argv ? ` ${(e.argv as string[]).join(' ')}` : ''}`;
    case 'alert':
      return `alert ${String(e.severity)} ${String(e.rule)}: ${String(e.summary)}`;
    case 'action':
      return `action ${String(e.action)} by ${String(e.actor)}: ${String(e.summary)}`;
    default:
      return entry.kind;
  }
}

export function timelineCommand(): Command {
  return withStateFlags(new Command('timeline'))
    .description('print what shipwatch saw of one container, oldest first (kept after it is removed)')
    .argument('<container>', 'container id, id prefix or name')
    .option('--json', 'one JSON entry per line')
    .action(async (container: string, flags: StateFlags) => {
      const stateDir = await loadStateDir({ config: flags.config, stateDir: flags.stateDir });
      const timeline = readTimeline(stateDir, container, sinceFlag(flags.since));
      if (!timeline) throw new ShipwatchError('SW_USAGE', `no timeline for a container "${container}" in ${stateDir}`);
      for (const entry of timeline.entries) {
        process.stdout.write(
          flags.json
            ? `${JSON.stringify(entry)}\n`
            : `${new Date(entry.at).toISOString()}  ${printable(describeEntry(entry))}\n`,
        );
      }
    });
}
