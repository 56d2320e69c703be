// The proc connector's own thread. It does nothing but drain the netlink socket and read /proc for
// each exec at once, so what it reads does not wait behind the main thread's packets, detectors
// and HTTP: on the main thread a busy loop let `cat`, `cp` and most processes living a few ms exit
// before /proc was read (their exe and argv lost), and let the socket queue overflow. Messages go
// to the main thread in one batch per turn of this thread's loop.
import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { BoundedMap } from '../../core/bounded-map.ts';
import { isInUpperLayer } from '../files/index.ts';
import type { ExecReading, FromProcThread, ToProcThread } from './proc-messages.ts';
import { executedPath } from './exec-program.ts';
import { ExecTrace } from './exec-trace.ts';
import { openProcConnector, type ProcConnector } from './proc-connector.ts';
import { containerIdFromCgroupPath } from './cgroup-container.ts';
import { readContainerId, readExe, snapshotProcess } from './proc-reader.ts';

/** Fork parents remembered for processes gone before /proc could say their PPid; a busy host reuses pids first. */
const MAX_FORKS = 65_536;

const port = parentPort;
if (!port) throw new Error('proc-worker.ts runs as a worker thread only');

const upperDirs = new Map<string, string>();
/** Bounded (a Map's delete-the-first walks the holes its deletes leave: ~14 µs a fork at the bound). */
const forkParent = new BoundedMap<number, number>(MAX_FORKS);
let batch: FromProcThread[] = [];
let connector: ProcConnector | null = null;
let trace: ExecTrace | null = null;

function post(message: FromProcThread): void {
  if (batch.length === 0) setImmediate(flush);
  batch.push(message);
}

function flush(): void {
  const out = batch;
  batch = [];
  if (out.length) port?.postMessage(out);
}

/** The fork event's parent, else the kernel's trace of the fork (its event can come after the exec). */
function parentOf(tgid: number): number | undefined {
  return forkParent.get(tgid) ?? trace?.parentOf(tgid);
}

/** The pid, its parent, grandparent… as the fork events told them (bounded). */
function lineage(tgid: number): number[] {
  const pids = [tgid];
  for (let pid = parentOf(tgid); pid !== undefined && pids.length < 16; pid = parentOf(pid)) pids.push(pid);
  return pids;
}

/** Gone before its cgroup was read: the cgroup runc moved it (or the ancestor it forked from) into. */
function tracedContainer(tgid: number, timestampNs: bigint): string | null | undefined {
  const attached = trace?.attachedPath(lineage(tgid), timestampNs);
  return attached === undefined ? undefined : containerIdFromCgroupPath(attached);
}

function read(tgid: number, timestampNs: bigint): ExecReading {
  const fresh = snapshotProcess(tgid);
  // After /proc, which is the race: the trace's records are in the kernel's buffer and wait.
  trace?.drain();
  const snap = fresh.containerId === undefined ? { ...fresh, containerId: tracedContainer(tgid, timestampNs) } : fresh;
  // Taken for every exec, so records of processes /proc did describe do not pile up.
  const traced = trace?.take(tgid, timestampNs) ?? null;
  const ppid = snap.ppid ?? parentOf(tgid) ?? null;
  const parent = ppid === null ? null : { pid: ppid, containerId: readContainerId(ppid), exe: readExe(ppid) };
  const containerId = snap.containerId ?? parent?.containerId ?? null;
  const upperDir = containerId ? upperDirs.get(containerId) : undefined;
  // Gone already: the file execve was given names what ran (a symlink's own path is never in the
  // writable layer unless the link itself was dropped there).
  const executed = executedPath(snap.exe, traced?.filename ?? null, snap.argv);
  const upperLayer = upperDir === undefined || executed === '' ? null : isInUpperLayer(upperDir, executed);
  return { tgid, timestampNs, snap, parent, upperLayer, traced: traced?.filename ?? null };
}

port.on('message', (message: ToProcThread) => {
  if (message.t === 'upperDir') {
    if (message.upperDir) upperDirs.set(message.containerId, message.upperDir);
    else upperDirs.delete(message.containerId);
  } else {
    connector?.close();
    connector = null;
    closeTrace();
    flush();
    port.close();
  }
});

/**
 * This thread sleeps until the kernel has news, then must read /proc before the process exits. On
 * a saturated 2-core host (five parallel docker execs, three busy workloads) it waited behind runc,
 * dockerd and the workloads: reads came up to 30 ms after the exec with the default priority and
 * nice -20 alike (CFS shares are per cgroup, and every container is one), so `cp` and even a 20 ms
 * program were gone first. As SCHED_FIFO the worst read came after 11 ms, p99 5 ms
 * (test/integration/drift-under-load.test.ts). The thread does a few /proc reads per event and
 * yields after 32 messages; the kernel's RT throttling (sched_rt_runtime_us) bounds a fork storm.
 * Both calls apply to this thread alone (a Linux thread id); without CAP_SYS_NICE they fail and
 * the thread keeps the default priority, reads are then only less prompt.
 */
function raisePriority(): void {
  let tid: number;
  try {
    tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return;
  }
  if (!Number.isInteger(tid) || tid <= 0) return;
  try {
    setPriority(tid, constants.priority.PRIORITY_HIGHEST);
  } catch {
    // no CAP_SYS_NICE
  }
  try {
    // Node has no sched_setscheduler; util-linux's chrt is on every host Docker runs on.
    execFileSync('chrt', ['--fifo', '--pid', '10', String(tid)], { stdio: 'ignore', timeout: 2000 });
  } catch {
    // no chrt or no CAP_SYS_NICE: nice -20 stays
  }
}

function closeTrace(): void {
  try {
    trace?.close();
  } catch {
    // the instance is removed by the next agent's start (removeStaleInstances)
  }
  trace = null;
}

/** Without the trace, a process gone before /proc was read has no program: the main thread says so. */
function openTrace(): void {
  try {
    trace = new ExecTrace();
    post({ t: 'trace', unavailable: null });
  } catch (error) {
    post({ t: 'trace', unavailable: error instanceof Error ? error.message : String(error) });
  }
}

raisePriority();
// Before the connector: every exec it reports must already be traced.
openTrace();
try {
  connector = openProcConnector({
    exec: (tgid, timestampNs) => post({ t: 'exec', reading: read(tgid, timestampNs) }),
    fork: (parentTgid, childPid, childTgid) => {
      // A new thread, not a process: the main thread's pid table ignores it, and a busy host
      // (every Node or Go runtime starting its threads) forks far more threads than processes;
      // posting them woke the main thread for nothing.
      if (childPid !== childTgid) return;
      forkParent.set(childTgid, parentTgid);
      post({ t: 'fork', parentTgid, childPid, childTgid });
    },
    exit: (tgid, exitCode) => {
      forkParent.delete(tgid);
      trace?.forget(tgid);
      post({ t: 'exit', tgid, exitCode });
    },
    lost: (count) => post({ t: 'lost', count }),
    error: (code) => post({ t: 'error', code }),
  });
  post({ t: 'ready' });
} catch (error) {
  post({ t: 'failed', reason: error instanceof Error ? error.message : String(error) });
}
