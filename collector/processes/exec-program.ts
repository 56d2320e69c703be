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

export function execProgram(reading: ExecReading, argv: readonly string[], upperDir: string | null): ExecProgram {
  const { snap, traced } = reading;
  if (snap.exe !== null) return { exe: snap.exe, executed: snap.exe, invokedAs: null };
  if (traced !== null && traced.startsWith('/')) {
    const exe = upperDir ? (resolveInRoot(mergedDirOf(upperDir), traced) ?? '') : '';
    return { exe, executed: traced, invokedAs: argv.length === 0 ? traced : null };
  }
  const argv0 = argv[0]?.startsWith('/') ? argv[0] : '';
  return { exe: '', executed: argv0, invokedAs: null };
}
