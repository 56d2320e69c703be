// The kernel's own record of every exec: the sched_process_exec tracepoint in a private tracefs
// instance, read from its trace_pipe. The proc connector says only "pid N exec'd"; by the time
// /proc/N is read the process may be gone (a 20 ms program on a saturated 2-core host, or a shell
// that exec'd its last command in place), and with it the only path to judge drift from. The
// tracepoint copies execve's filename into the ring buffer before the kernel sends the connector's
// event (fs/exec.c: trace_sched_process_exec, then proc_exec_connector), so when the proc thread
// handles an exec, its filename is already readable here, however late the thread runs. The same
// holds for cgroup_attach_task, runc moving a new process into its container's cgroup: the
// container of a process gone before /proc/<pid>/cgroup was read.
//
// Written by hand: Node has no tracefs library, and the whole interface is a few files to write
// and text lines to read. Runs inside the proc thread.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  rmdirSync,
  writeFileSync,
  constants,
} from 'node:fs';
import path from 'node:path';
import { BoundedMap } from '../../core/bounded-map.ts';

const TRACEFS_MOUNTS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];
/** Per CPU; about 60 bytes a record, so thousands of execs between two reads. */
const BUFFER_KB = 256;
/** Records of pids whose exec nobody asked about are dropped past this many, oldest first. */
const MAX_RECORDS = 8192;
const INSTANCE_PREFIX = 'shipwatch-';
/** The tracepoints enabled in the instance. */
const EVENTS = ['sched/sched_process_exec', 'sched/sched_process_fork', 'cgroup/cgroup_attach_task'];

export interface TracedExec {
  /** CLOCK_MONOTONIC of the exec, to the microsecond (the instance's `mono` clock). */
  timestampNs: bigint;
  /** execve's filename as the process passed it, in its own mount namespace. */
  filename: string;
}

export interface CgroupAttach {
  timestampNs: bigint;
  /** The cgroup path the task was moved into (`/system.slice/docker-<id>.scope`, `/docker/<id>`). */
  path: string;
}

/**
 * The earliest time a printed timestamp can stand for. ftrace prints them rounded to the nearest
 * microsecond (ns2usecs adds 500 ns before it divides), and the proc connector stamps its exec event
 * only a few hundred ns after the tracepoint: read as printed, the trace's exec came "after" the
 * event it preceded, and take() found nothing for it (6 execs in 3 runs of drift-under-load, each
 * 25–234 ns late: cp, cat, chmod, date, gone before /proc was read).
 */
function monotonicNs(seconds: string, micros: string): bigint {
  return BigInt(seconds) * 1_000_000_000n + BigInt(micros) * 1000n - 500n;
}

/**
 * A cgroup_attach_task line: runc moving a new process into its container's cgroup. Non-greedy
 * path: the comm at the end is the process's to choose (it could spell " pid="), the path is not.
 */
export function parseAttachLine(line: string): { pid: number; attach: CgroupAttach } | null {
  const match =
    / (\d+)\.(\d{6}): cgroup_attach_task: dst_root=\d+ dst_id=\d+ dst_level=\d+ dst_path=(.*?) pid=(\d+) comm=/.exec(
      line,
    );
  if (!match) return null;
  const [, seconds, micros, path, pid] = match as unknown as [string, string, string, string, string];
  return { pid: Number(pid), attach: { timestampNs: monotonicNs(seconds, micros), path } };
}

/**
 * A sched_process_fork line: the forking task and its child. The comms are the process's to choose
 * but at most 15 bytes, too short to spell " pid=N child_comm=", so the first such run is the real one.
 */
export function parseForkLine(line: string): { parent: number; child: number } | null {
  const match = / \d+\.\d{6}: sched_process_fork: comm=.*? pid=(\d+) child_comm=.* child_pid=(\d+)$/.exec(line);
  if (!match) return null;
  return { parent: Number(match[1]), child: Number(match[2]) };
}

/** One trace_pipe line, or null for anything else (another event, a line cut by a newline in a filename). */
export function parseExecLine(line: string): { pid: number; exec: TracedExec } | null {
  // Greedy: a filename that contains " pid=" still leaves the real fields at the end.
  const match = / (\d+)\.(\d{6}): sched_process_exec: filename=(.*) pid=(\d+) old_pid=\d+$/.exec(line);
  if (!match) return null;
  const [, seconds, micros, filename, pid] = match as unknown as [string, string, string, string, string];
  return {
    pid: Number(pid),
    exec: { timestampNs: monotonicNs(seconds, micros), filename },
  };
}

/** tracefs where it is mounted; mounted at /sys/kernel/tracing when it is not (the agent runs as root). */
function tracefsRoot(): string {
  const found = (): string | undefined => TRACEFS_MOUNTS.find((dir) => existsSync(path.join(dir, 'instances')));
  const mounted = found();
  if (mounted) return mounted;
  execFileSync('mount', ['-t', 'tracefs', 'tracefs', TRACEFS_MOUNTS[0] as string], { stdio: 'pipe', timeout: 5000 });
  const now = found();
  if (!now) throw new Error('tracefs mounted but has no instances directory');
  return now;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeInstance(dir: string): void {
  for (const event of EVENTS) {
    try {
      writeFileSync(path.join(dir, 'events', event, 'enable'), '0');
    } catch {
      // already gone or never enabled
    }
  }
  rmdirSync(dir);
}

/** Instances left by agents that were killed: each holds a ring buffer per CPU. */
function removeStaleInstances(instances: string): void {
  for (const name of readdirSync(instances)) {
    const pid = Number(name.slice(INSTANCE_PREFIX.length).split('-')[0]);
    if (!name.startsWith(INSTANCE_PREFIX) || !Number.isInteger(pid) || alive(pid)) continue;
    try {
      removeInstance(path.join(instances, name));
    } catch {
      // another agent's cleanup won the race
    }
  }
}

export class ExecTrace {
  /** The private tracefs instance directory. */
  readonly dir: string;
  readonly #fd: number;
  readonly #chunk = Buffer.allocUnsafe(64 * 1024);
  #partial = '';
  /** Per pid, its recent execs oldest first (a shell that execs in place has several). */
  readonly #byPid = new Map<number, TracedExec[]>();
  #records = 0;
  // The next two are set at every fork and cgroup move on the host and rarely deleted, so full on
  // a busy one: BoundedMap, where a Map's delete-the-first walked the holes earlier deletes left.
  /** Each task's latest cgroup move, most recent last. */
  readonly #attached = new BoundedMap<number, CgroupAttach>(MAX_RECORDS);
  /** Child → the task that forked it, for a fork event the connector delivers after the child's exec. */
  readonly #parents = new BoundedMap<number, number>(MAX_RECORDS);

  /** Throws with the reason where tracefs is unavailable (no CAP_SYS_ADMIN, not mountable). */
  constructor() {
    const instances = path.join(tracefsRoot(), 'instances');
    removeStaleInstances(instances);
    // The agent's pid (its stale instance is removed by the next start) and a tag: several sources
    // may share one process (tests).
    this.dir = path.join(instances, `${INSTANCE_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
    // tracefs fills a new instance directory with its own buffer, clock and event switches.
    mkdirSync(this.dir);
    try {
      // The proc connector stamps its events with CLOCK_MONOTONIC; so must the trace, to pair them.
      writeFileSync(path.join(this.dir, 'trace_clock'), 'mono');
      writeFileSync(path.join(this.dir, 'buffer_size_kb'), String(BUFFER_KB));
      for (const event of EVENTS) writeFileSync(path.join(this.dir, 'events', event, 'enable'), '1');
      this.#fd = openSync(path.join(this.dir, 'trace_pipe'), constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      removeInstance(this.dir);
      throw error;
    }
  }

  // The lookups answer from what drain() has read: the proc thread drains once per exec event,
  // when every record written before that event is queued.

  /** The latest exec of `pid` at or before `timestampNs`; it and the older ones are consumed. */
  take(pid: number, timestampNs: bigint): TracedExec | null {
    const list = this.#byPid.get(pid);
    if (!list) return null;
    let found: TracedExec | null = null;
    while (list.length > 0 && (list[0] as TracedExec).timestampNs <= timestampNs) {
      found = list.shift() as TracedExec;
      this.#records--;
    }
    if (list.length === 0) this.#byPid.delete(pid);
    return found;
  }

  /**
   * The cgroup path the nearest of `lineage` (a pid, then its parent, its grandparent…) was moved
   * into before `timestampNs`; undefined when none was moved since the trace started. A process
   * forked after runc moved its ancestor into a container's cgroup is in that cgroup.
   */
  attachedPath(lineage: readonly number[], timestampNs: bigint): string | undefined {
    for (const pid of lineage) {
      const attach = this.#attached.get(pid);
      if (attach && attach.timestampNs <= timestampNs) return attach.path;
    }
    return undefined;
  }

  /**
   * The task that forked `pid`, from the kernel's record. The forking thread's id: the same as its
   * process's for the single-threaded shells that fork most, a thread's for a Go runtime.
   */
  parentOf(pid: number): number | undefined {
    return this.#parents.get(pid);
  }

  /** A process exited: its pid may be reused, its cgroup move and parent must not be inherited by the next. */
  forget(pid: number): void {
    this.#attached.delete(pid);
    this.#parents.delete(pid);
  }

  /** Reads every complete line the kernel has queued, without blocking. */
  drain(): void {
    for (;;) {
      let n: number;
      try {
        n = readSync(this.#fd, this.#chunk, 0, this.#chunk.length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return;
        throw error;
      }
      if (n === 0) return;
      const lines = (this.#partial + this.#chunk.toString('latin1', 0, n)).split('\n');
      this.#partial = lines.pop() ?? '';
      for (const line of lines) this.#add(line);
    }
  }

  #add(line: string): void {
    const fork = parseForkLine(line);
    if (fork) return void this.#parents.set(fork.child, fork.parent);
    const attach = parseAttachLine(line);
    if (attach) return void this.#attached.set(attach.pid, attach.attach);
    const parsed = parseExecLine(line);
    if (!parsed) return;
    const list = this.#byPid.get(parsed.pid);
    if (list) list.push(parsed.exec);
    else this.#byPid.set(parsed.pid, [parsed.exec]);
    if (++this.#records <= MAX_RECORDS) return;
    // Host processes nobody asks about: the oldest pid's records go first (Map keeps insertion order).
    const [oldest, records] = this.#byPid.entries().next().value as [number, TracedExec[]];
    this.#byPid.delete(oldest);
    this.#records -= records.length;
  }

  close(): void {
    try {
      closeSync(this.#fd);
    } finally {
      removeInstance(this.dir);
    }
  }
}
