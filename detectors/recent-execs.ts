// Execs not (yet) recognised as drift, remembered for a few seconds per container. The file
// source can report a write after the exec of that very file: inotify is asynchronous, and a file
// created in a directory the container has just made is only found when that directory is
// scanned. When the late write arrives, the exec it explains is drift after all.
import type { ContainerRef, ProcessInfo } from '../collector/events.ts';

/** How far apart an exec and the report of its file's write may be and still be tied together. */
export const LATE_DRIFT_WINDOW_MS = 5000;
/** Execs kept per container; a container exec-ing faster than this in 5 s is not waiting on one file. */
const MAX_PER_CONTAINER = 64;

export interface RecentExec {
  container: ContainerRef;
  process: ProcessInfo;
  at: number;
}

export type RecentExecs = Map<string, RecentExec[]>;

export function remember(recent: RecentExecs, exec: RecentExec): void {
  const list = recent.get(exec.container.id) ?? [];
  list.push(exec);
  if (list.length > MAX_PER_CONTAINER) list.shift();
  recent.set(exec.container.id, list);
}

/** Takes out the execs of `path` in the container within the window of `at`. */
export function takeExecsOf(recent: RecentExecs, containerId: string, path: string, at: number): RecentExec[] {
  const list = recent.get(containerId);
  if (!list) return [];
  const fresh = list.filter((e) => Math.abs(at - e.at) <= LATE_DRIFT_WINDOW_MS);
  const matching = fresh.filter((e) => e.process.exe === path);
  const rest = fresh.filter((e) => e.process.exe !== path);
  if (rest.length) recent.set(containerId, rest);
  else recent.delete(containerId);
  return matching;
}
