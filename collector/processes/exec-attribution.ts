// Whose an exec is: its parent and its container, from what the proc thread read at the exec,
// else what the pid table knew of the pid and its parent, else (a child of runc gone with its
// parent) the docker exec nobody claimed yet.
import type { ExecSessions } from './exec-sessions.ts';
import type { PidEntry, PidTable } from './pid-table.ts';
import type { ExecReading } from './proc-messages.ts';
import { readContainerId, readExe } from './proc-reader.ts';

export interface ExecAttribution {
  ppid: number;
  /** The parent's container (null: a host process, or no parent). */
  parentContainer: string | null | undefined;
  containerId: string | null;
  parentExe: string | null;
}

/**
 * A child of runc gone before /proc could be read (`docker exec c true` lives microseconds) and
 * whose parent's cgroup is gone too: the exec Docker announced and nobody claimed is its origin.
 * Not when the parent is the runc command itself (it exec'd): that child is runc's own `runc
 * init`, which execs, clones the real process and exits at once. Taken for the root, it claimed
 * the exec's record, Docker's argv and the exec id under the wrong pid, and the real root then
 * went without (the flaky "200 short-lived processes seen 0" and "sh -c … cat" attributions).
 */
function orphanOfRunc(ppid: number, pids: PidTable, sessions: ExecSessions): string | null {
  const parent = pids.get(ppid);
  if (parent?.execed === true) return null;
  const parentExe = parent?.exe ?? readExe(ppid);
  const runc = parentExe === '/' || (parentExe?.endsWith('/runc') ?? false);
  return runc ? sessions.unclaimedContainer() : null;
}

export function attributeExec(
  reading: ExecReading,
  known: PidEntry | undefined,
  pids: PidTable,
  sessions: ExecSessions,
): ExecAttribution {
  const { snap } = reading;
  const ppid = snap.ppid ?? reading.parent?.pid ?? known?.ppid ?? 0;
  const parentRead = reading.parent?.pid === ppid ? reading.parent : null;
  const parentKnown = pids.get(ppid);
  const parentContainer =
    ppid <= 0
      ? null
      : parentKnown?.containerId !== undefined
        ? parentKnown.containerId
        : (parentRead?.containerId ?? readContainerId(ppid));
  // Gone already: the parent's cgroup at the exec (runc's init joins the container's cgroup after
  // its own exec was cached as a host process), else what the child inherited at fork.
  const containerId =
    snap.containerId !== undefined
      ? snap.containerId
      : (parentRead?.containerId ?? known?.containerId ?? parentContainer ?? orphanOfRunc(ppid, pids, sessions));
  const parentExe = parentKnown?.exe ?? parentRead?.exe ?? readExe(ppid);
  return { ppid, parentContainer, containerId, parentExe };
}
