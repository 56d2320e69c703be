// The size of a changed file in the UpperDir, read when its (debounced) change is reported: what
// tells an emptied log (`: > app.log`, `truncate -s 0`) from one that grew. inotify says only that
// the file was modified.
import { statSync } from 'node:fs';
import path from 'node:path';

/** Size in bytes of `rel` (as the container sees it) below `upperDir`; undefined when gone or not a file. */
export function upperFileSize(upperDir: string, rel: string): number | undefined {
  try {
    const stat = statSync(path.join(upperDir, rel));
    return stat.isFile() ? stat.size : undefined;
  } catch {
    return undefined;
  }
}
