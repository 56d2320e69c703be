// What the proc connector's thread (proc-worker.ts) and the process source say to each other.
// The thread reads /proc the moment the kernel reports an exec, so these carry what it read; the
// polling fallback builds the same reading on the main thread.
import { snapshotProcess, type ProcSnapshot } from './proc-reader.ts';

/** What was read at the exec, before the main thread saw it. */
export interface ExecReading {
  tgid: number;
  /** The kernel's CLOCK_MONOTONIC of the exec (process.hrtime.bigint()'s clock). */
  timestampNs: bigint;
  snap: ProcSnapshot;
  /** The parent's pid (from /proc, else the fork event) and what its /proc said, read at the same time. */
  parent: { pid: number; containerId: string | null | undefined; exe: string | null } | null;
  /** The executable is a file of the container's writable layer; null when the thread knew no UpperDir for it. */
  upperLayer: boolean | null;
  /** execve's filename from the kernel's exec trace (exec-trace.ts); null without the trace. */
  traced: string | null;
}

export type FromProcThread =
  | { t: 'ready' }
  | { t: 'failed'; reason: string }
  | { t: 'exec'; reading: ExecReading }
  /** Whether the exec trace runs: null when it does, else why not. */
  | { t: 'trace'; unavailable: string | null }
  | { t: 'fork'; parentTgid: number; childPid: number; childTgid: number }
  | { t: 'exit'; tgid: number; exitCode: number | null }
  /** Events the kernel numbered but never delivered (sequence gaps). */
  | { t: 'lost'; count: number }
  | { t: 'error'; code: string | undefined };

export type ToProcThread = { t: 'upperDir'; containerId: string; upperDir: string | null } | { t: 'close' };

/** An exec as /proc shows it now, read on the calling thread (the polling fallback). */
export function readingNow(pid: number): ExecReading {
  return {
    tgid: pid,
    timestampNs: process.hrtime.bigint(),
    snap: snapshotProcess(pid),
    parent: null,
    upperLayer: null,
    traced: null,
  };
}
