// Defence evasion inside a container. fileless_execution (T1620): a program run from memory (a
// memfd), from a file already deleted when it ran, or from /dev/shm (a tmpfs outside the overlay,
// so drift never sees what lands there). log_tampering (T1070): a log file or a shell history
// deleted or truncated to nothing. Rotation is not tampering: archives (app.log.1, .gz, -20261201)
// may be deleted, and a live log renamed away; what alerts is the live log or history emptied or
// removed. Both always on.
import type { ContainerRef, FileOp, ProcessInfo, ShipwatchEvent } from '../../collector/events.ts';
import type { Detector, StepResult } from '../context.ts';
import { processDetails, quoted, who } from '../describe.ts';
import type { Finding } from '../../findings/index.ts';
import { basename, commandName } from '../process-classify.ts';
import { commandsOf } from '../shell-commands.ts';

const HISTORIES = new Set([
  '.bash_history',
  '.ash_history',
  '.sh_history',
  '.zsh_history',
  '.history',
  '.python_history',
  '.mysql_history',
  '.psql_history',
  '.node_repl_history',
]);
const LOGIN_RECORDS = /^\/(var\/log\/(wtmp|btmp|lastlog|faillog)|var\/run\/utmp|run\/utmp)$/;
const ROTATED = /(\.\d+|\.gz|\.bz2|\.xz|\.zst|\.old|-\d{8}(\d{2})?)$/;

/** What kind of record a path is, or null when it is none. */
export function recordKind(path: string): 'history' | 'login record' | 'log' | null {
  if (HISTORIES.has(basename(path))) return 'history';
  if (LOGIN_RECORDS.test(path)) return 'login record';
  if (ROTATED.test(path)) return null;
  if (path.startsWith('/var/log/') || path.endsWith('.log')) return 'log';
  return null;
}

function fileless(container: ContainerRef, p: ProcessInfo, at: number): Finding[] {
  const exe = p.exe;
  const how = exe.startsWith('/memfd:')
    ? 'from memory (a memfd, no file on disk)'
    : p.exeDeleted === true
      ? 'from a file that was deleted before it ran'
      : exe.startsWith('/dev/shm/') || exe.startsWith('/run/shm/')
        ? 'from /dev/shm, a memory file system outside the image'
        : null;
  if (how === null) return [];
  return [
    {
      rule: 'fileless_execution',
      container,
      key: exe,
      summary: `${who(container)} ran ${exe} ${how}: ${quoted(p.argv)}`,
      details: processDetails(p),
      at,
    },
  ];
}

/** `truncate -s 0 <log>`, `shred <history>`: seen at exec time, before the file event. */
function tamperingTool(container: ContainerRef, p: ProcessInfo, at: number): Finding[] {
  const tool = commandsOf(p).find((c) => ['truncate', 'shred'].includes(commandName(c)));
  const name = tool ? commandName(tool) : '';
  const target = tool?.argv.slice(1).find((a) => a.startsWith('/') && recordKind(a) !== null);
  if (target === undefined) return [];
  return [
    {
      rule: 'log_tampering',
      container,
      key: target,
      summary: `${who(container)} ran ${name} on the ${recordKind(target)} ${target}: ${quoted(p.argv)}`,
      details: processDetails(p),
      at,
    },
  ];
}

function tampering(container: ContainerRef, path: string, op: FileOp, size: number | undefined, at: number): Finding[] {
  const kind = recordKind(path);
  if (kind === null) return [];
  // A create of size 0 is a truncation only where nothing is created empty on purpose (an image's
  // history or login record copied up by the truncation); an app opening a fresh log is not.
  const emptied = size === 0 && (op === 'write' || (op === 'create' && kind !== 'log'));
  if (op !== 'delete' && !emptied) return [];
  const what = op === 'delete' ? 'deleted' : 'emptied';
  return [
    {
      rule: 'log_tampering',
      container,
      key: path,
      summary: `${who(container)} ${what} the ${kind} ${path}: covering its tracks`,
      details: { file: { path, op } },
      at,
    },
  ];
}

export const evasionDetector: Detector<null> = {
  name: 'evasion',
  initialState: () => null,
  step(state: null, event: ShipwatchEvent): StepResult<null> {
    switch (event.kind) {
      case 'process.exec':
        return {
          state,
          findings: [
            ...fileless(event.container, event.process, event.at),
            ...tamperingTool(event.container, event.process, event.at),
          ],
        };
      case 'file.changed':
        return {
          state,
          findings: event.preexisting ? [] : tampering(event.container, event.path, event.op, event.size, event.at),
        };
      case 'flow.start':
      case 'flow.update':
      case 'flow.end':
      case 'dns.answer':
      case 'container.created':
      case 'container.started':
      case 'container.stopped':
      case 'container.removed':
      case 'container.paused':
      case 'container.unpaused':
      case 'network.connected':
      case 'network.disconnected':
      case 'network.created':
      case 'network.removed':
      case 'exec.started':
      case 'process.exit':
      case 'stats.sample':
      case 'daemon.posture':
        return { state, findings: [] };
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
      }
    }
  },
};
