// What the process source knows of each live pid: its container, exe, parent, uid and docker exec
// session. Filled at fork (the child inherits what is known of its parent) and exec, dropped at
// exit; a short-lived process is often gone before /proc can be read, and then this is all there is.
import type { ExecSession } from './exec-sessions.ts';
import { BoundedMap } from '../../core/bounded-map.ts';
import { readContainerId } from './proc-reader.ts';

/** Pids remembered for parent lookups; a busy host reuses pids long before this fills. */
const MAX_PIDS = 65_536;

export interface PidEntry {
  /** undefined: not known yet (inherited lazily from the parent at fork). */
  containerId: string | null | undefined;
  exe: string | null;
  ppid: number;
  uid: number | null;
  session: ExecSession | null;
  /** The pid exec'd since its fork; false for a clone still running its parent's image. */
  execed?: boolean;
  /** Descends from `runc init` without an exec since: its next exec is a docker exec's root. */
  runcInit?: boolean;
}

export class PidTable {
  /** BoundedMap: a Map's delete-the-first walks the holes its deletes leave (~14 µs at 65 536). */
  readonly #pids = new BoundedMap<number, PidEntry>(MAX_PIDS);

  get(pid: number): PidEntry | undefined {
    return this.#pids.get(pid);
  }

  /** Most recently set last: past MAX_PIDS the entry set longest ago goes. */
  set(pid: number, entry: PidEntry): void {
    this.#pids.set(pid, entry);
  }

  /** The entry of a process that exited, removed. */
  take(pid: number): PidEntry | undefined {
    const entry = this.#pids.get(pid);
    this.#pids.delete(pid);
    return entry;
  }

  fork(parentTgid: number, childPid: number, childTgid: number): void {
    if (childPid !== childTgid) return; // a new thread, not a process
    const parent = this.#pids.get(parentTgid);
    this.set(childTgid, {
      containerId: parent?.containerId,
      exe: parent?.exe ?? null,
      ppid: parentTgid,
      uid: parent?.uid ?? null,
      session: parent?.session ?? null,
      execed: false,
      runcInit: parent?.runcInit === true,
    });
  }

  /** The container known for `pid`, else what its cgroup says now. */
  containerOf(pid: number): string | null | undefined {
    const known = this.#pids.get(pid)?.containerId;
    return known !== undefined ? known : readContainerId(pid);
  }
}
