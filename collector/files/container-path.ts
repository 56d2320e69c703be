// A path as a container sees it, resolved to the file it names, from outside the container: its
// symlinks followed inside its root file system (overlay2's MergedDir), where an absolute link
// target starts again at the container's root, not ours. The proc thread needs it for a process
// gone before /proc/<pid>/exe could be read: the kernel's exec trace gives execve's filename
// (/bin/cp), the baseline knows the program by its resolved exe (/bin/busybox).
//
// Written by hand: fs.realpath resolves against our root, and Node has no openat2(RESOLVE_IN_ROOT).
import { lstatSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/** Linux's own limit on symlinks in one lookup (MAXSYMLINKS). */
const MAX_LINKS = 40;

/** overlay2 keeps a layer's UpperDir (`diff`) and its MergedDir (`merged`) side by side. */
export function mergedDirOf(upperDir: string): string {
  return path.join(path.dirname(upperDir), 'merged');
}

/**
 * `target` (absolute, as the container sees it) with every symlink resolved inside `root`; null
 * when a component is missing or unreadable (a volume the merged tree does not show, a loop).
 */
export function resolveInRoot(root: string, target: string): string | null {
  if (!target.startsWith('/')) return null;
  let pending = target.split('/').filter((part) => part !== '');
  let resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const [part, ...rest] = pending as [string, ...string[]];
    pending = rest;
    if (part === '.') continue;
    if (part === '..') {
      // `..` at the container's root stays there, as it does inside.
      resolved.pop();
      continue;
    }
    const candidate = [...resolved, part];
    let link: string;
    try {
      const full = path.join(root, ...candidate);
      if (!lstatSync(full).isSymbolicLink()) {
        resolved = candidate;
        continue;
      }
      link = readlinkSync(full);
    } catch {
      return null;
    }
    if (++links > MAX_LINKS) return null;
    if (link.startsWith('/')) resolved = [];
    pending = [...link.split('/').filter((p) => p !== ''), ...pending];
  }
  return `/${resolved.join('/')}`;
}
