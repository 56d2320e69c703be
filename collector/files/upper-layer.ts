// Whether an executable lives in a container's writable layer, decided from the file system at
// the moment of the exec (what Falco calls proc.is_exe_upper_layer). Everything a container writes
// lands in its overlay2 UpperDir, so a regular file at the exe's path there was created or changed
// after the container started; a whiteout there is a deleted image file, not a new one. Unlike the
// inotify registry (drift-paths.ts), this cannot lose a race with the write: the write is done by
// the time the kernel runs the file.
import { lstatSync } from 'node:fs';
import path from 'node:path';
import { isWhiteout } from './overlay-paths.ts';

/** True when `exe` (a path as the container sees it) is a regular file in `upperDir`. */
export function isInUpperLayer(upperDir: string, exe: string): boolean {
  if (!exe.startsWith('/')) return false;
  // normalize keeps a crafted "/../../x" inside the UpperDir.
  const full = path.join(upperDir, path.posix.normalize(exe));
  try {
    const stat = lstatSync(full);
    return stat.isFile() && !isWhiteout(stat);
  } catch {
    return false;
  }
}
