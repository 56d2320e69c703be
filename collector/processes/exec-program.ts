// What an exec ran. /proc/<pid>/exe when the proc thread read it in time; for a process gone
// first, execve's filename from the kernel's exec trace, with the container's symlinks resolved
// so a busybox applet (/bin/cp) is known by the same exe as when /proc was read (/bin/busybox);
// last, an absolute argv[0]. Unknown stays '' (the rules never judge an unknown program).
import { mergedDirOf, resolveInRoot } from '../files/index.ts';
import type { ExecReading } from './proc-messages.ts';

export interface ExecProgram {
  /** The executable as the container sees it, symlinks resolved; '' when unknown. */
  exe: string;
  /** The path that was executed (what drift is judged on); '' when unknown. */
  executed: string;
  /** execve's filename when argv is unknown: it names a multi-call binary's applet. */
  invokedAs: string | null;
}

/**
 * The path that was executed, '' when unknown: /proc's exe, else execve's filename (absolute), else
 * an absolute argv[0]. The proc thread judges the writable layer on it, the main thread drift.
 */
export function executedPath(exe: string | null, traced: string | null, argv: readonly string[]): string {
  if (exe !== null) return exe;
  if (traced?.startsWith('/')) return traced;
  return argv[0]?.startsWith('/') ? argv[0] : '';
}

export function execProgram(reading: ExecReading, argv: readonly string[], upperDir: string | null): ExecProgram {
  const { snap, traced } = reading;
  const executed = executedPath(snap.exe, traced, argv);
  if (snap.exe !== null) return { exe: snap.exe, executed, invokedAs: null };
  if (executed === traced) {
    const exe = upperDir ? (resolveInRoot(mergedDirOf(upperDir), traced) ?? '') : '';
    return { exe, executed, invokedAs: argv.length === 0 ? traced : null };
  }
  return { exe: '', executed, invokedAs: null };
}
