// What a running process holds, read from /proc the way an operator checks for leaks: open file
// descriptors, inotify watches (and the inodes they watch), capture children and resident memory.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessResources {
  fds: number;
  inotifyWatches: number;
  /** Child processes running bin/shipwatch-capture.js (one per captured bridge). */
  captureChildren: number;
  rssMiB: number;
}

export interface CaptureChild {
  pid: number;
  iface: string;
}

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback; // the fd closed (or the child exited) between the listing and the read
  }
}

/** Pids of the direct children of `pid`, over all its threads. */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    for (const child of readOr(`/proc/${pid}/task/${task}/children`, '').split(' ')) {
      if (child.trim()) children.push(Number(child));
    }
  }
  return children;
}

/** The capture children and the interface each captures (`shipwatch-capture.js IFACE SNAPLEN …`). */
export function captureChildren(pid: number): CaptureChild[] {
  const found: CaptureChild[] = [];
  for (const child of childPids(pid)) {
    const argv = readOr(`/proc/${child}/cmdline`, '').split('\0');
    const at = argv.findIndex((arg) => arg.endsWith('shipwatch-capture.js'));
    if (at >= 0) found.push({ pid: child, iface: argv[at + 1] ?? '' });
  }
  return found;
}

/** The inode number of every inotify watch the process holds (from `inotify wd:… ino:HEX` lines). */
export function inotifyInodes(pid: number): number[] {
  const inodes: number[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    for (const line of readOr(`/proc/${pid}/fdinfo/${fd}`, '').split('\n')) {
      const ino = /^inotify wd:\S+ ino:([0-9a-f]+)/.exec(line)?.[1];
      if (ino) inodes.push(parseInt(ino, 16));
    }
  }
  return inodes;
}

export function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round((Number(kb ?? 0) / 1024) * 10) / 10;
}

export function processResources(pid: number): ProcessResources {
  return {
    fds: readdirSync(`/proc/${pid}/fd`).length,
    inotifyWatches: inotifyInodes(pid).length,
    captureChildren: captureChildren(pid).length,
    rssMiB: rssMiB(pid),
  };
}

/** User + system CPU seconds the process has used (from /proc/<pid>/stat, in 1/100 s ticks). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
