// Reads what /proc tells about a process at the moment of its exec event. Synchronous on purpose:
// procfs reads take microseconds and a short-lived process (`sh -c id`) may be gone by the next
// tick, so the read must happen inside the event handler, before anything else yields.
import { readFileSync, readlinkSync } from 'node:fs';
import { containerIdFromCgroup } from './cgroup-container.ts';

/** argv is cut to this many bytes and entries: enough for any command an analyst reads. */
export const ARGV_MAX_BYTES = 4096;
export const ARGV_MAX_ENTRIES = 64;

export interface ProcSnapshot {
  exe: string | null;
  argv: string[];
  ppid: number | null;
  uid: number | null;
  /** Container id, null for the host; undefined when /proc could not tell (process gone). */
  containerId: string | null | undefined;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return null;
  }
}

/** /proc/<pid>/cmdline (NUL-separated) → argv, bounded in bytes and entries. */
export function argvOf(cmdline: string): string[] {
  const bounded = cmdline.length > ARGV_MAX_BYTES ? cmdline.slice(0, ARGV_MAX_BYTES) : cmdline;
  const parts = bounded.split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts.slice(0, ARGV_MAX_ENTRIES);
}

/** PPid and the real uid from /proc/<pid>/status. */
export function statusFields(status: string): { ppid: number | null; uid: number | null } {
  const ppid = /^PPid:\s+(\d+)/m.exec(status)?.[1];
  const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
  return { ppid: ppid === undefined ? null : Number(ppid), uid: uid === undefined ? null : Number(uid) };
}

export function readExe(pid: number): string | null {
  try {
    // The kernel resolves the link against the process's own mount namespace root when ours
    // cannot reach it, so a container's /bin/sh reads as /bin/sh, not as an overlay path.
    return readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
  } catch {
    return null;
  }
}

export function readContainerId(pid: number): string | null | undefined {
  const cgroup = read(`/proc/${pid}/cgroup`);
  return cgroup === null ? undefined : containerIdFromCgroup(cgroup);
}

export function snapshotProcess(pid: number): ProcSnapshot {
  // Most valuable first: a process that exits mid-way leaves us its container and argv rather
  // than its uid.
  const containerId = readContainerId(pid);
  const cmdline = read(`/proc/${pid}/cmdline`);
  const exe = readExe(pid);
  const status = read(`/proc/${pid}/status`);
  const { ppid, uid } = status === null ? { ppid: null, uid: null } : statusFields(status);
  return { exe, argv: cmdline === null ? [] : argvOf(cmdline), ppid, uid, containerId };
}

/**
 * runc re-executes itself (from a memfd, so its exe reads as "/") as `runc init` inside the new
 * container's cgroup before it execs the real process: runtime plumbing, not container activity.
 */
export function isRuncInit(argv: string[], parentExe: string | null): boolean {
  return argv.length === 2 && argv[0] === 'runc' && argv[1] === 'init' && (parentExe?.endsWith('/runc') ?? false);
}
