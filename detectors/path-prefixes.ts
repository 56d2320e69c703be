// Learned write locations, collapsed so a baseline stays small and readable: a workload that
// writes /var/log/nginx/access.log and error.log learns `/var/log/nginx/*`, not two files.
//
// A prefix is either `DIR/*` (anything below DIR, at any depth) or an exact path (a file written
// directly under `/`). Three collapsing steps, each deterministic:
//  1. a written file stands for its directory: /var/log/nginx/access.log → /var/log/nginx/*;
//  2. a directory segment that looks generated (digits, long hex, a UUID, a mktemp-style name
//     with both letters and digits) cuts the prefix there: /tmp/tmp.x8Kd2/a → /tmp/*;
//  3. once SIBLING_LIMIT prefixes share a parent, they become the parent: /srv/a/*, /srv/b/*,
//     /srv/c/*, /srv/d/* → /srv/*; but never a top-level directory like /var/* or /usr/* (too
//     broad to mean anything), except scratch directories (/tmp, /var/tmp, /run, /dev/shm).

export const SIBLING_LIMIT = 4;
const SCRATCH = new Set(['/tmp', '/var/tmp', '/run', '/dev/shm']);

function looksGenerated(segment: string): boolean {
  if (/^\d+$/.test(segment)) return true;
  if (/^[0-9a-f]{8,}$/i.test(segment)) return true;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(segment)) return true;
  // mktemp and friends: a word, a separator, then at least 5 mixed characters with a digit.
  if (/^[a-z]*[._-]?(?=[a-z0-9]*\d)[a-z0-9]{5,}$/i.test(segment) && /\d/.test(segment) && /[a-z]/i.test(segment)) {
    return segment.replace(/[^0-9]/g, '').length >= 2;
  }
  return false;
}

function depth(dir: string): number {
  return dir.split('/').filter(Boolean).length;
}

function parentOf(dir: string): string {
  const cut = dir.lastIndexOf('/');
  return cut <= 0 ? '/' : dir.slice(0, cut);
}

/** Does a learned prefix cover this path? */
export function covers(prefix: string, path: string): boolean {
  if (prefix.endsWith('/*')) return path.startsWith(prefix.slice(0, -1));
  return path === prefix;
}

export function coveredBy(prefixes: readonly string[], path: string): boolean {
  return prefixes.some((prefix) => covers(prefix, path));
}

/** The prefix a single written path stands for (steps 1 and 2). */
export function prefixFor(path: string): string {
  const segments = path.split('/').filter(Boolean);
  const dirSegments = segments.slice(0, -1);
  if (dirSegments.length === 0) return `/${segments[0] ?? ''}`;
  const kept: string[] = [];
  for (const segment of dirSegments) {
    if (kept.length > 0 && looksGenerated(segment)) break;
    kept.push(segment);
  }
  return `/${kept.join('/')}/*`;
}

function mayCollapseInto(parent: string): boolean {
  return SCRATCH.has(parent) || depth(parent) >= 2;
}

/** Adds a written path to a sorted prefix list and returns the new list (step 3 included). */
export function addPath(prefixes: readonly string[], path: string): string[] {
  if (coveredBy(prefixes, path)) return [...prefixes];
  const candidate = prefixFor(path);
  let next = [...prefixes.filter((p) => !(candidate.endsWith('/*') && covers(candidate, p.replace(/\/\*$/, '/'))))];
  next.push(candidate);
  if (candidate.endsWith('/*')) {
    const parent = parentOf(candidate.slice(0, -2));
    const siblings = next.filter((p) => p.endsWith('/*') && parentOf(p.slice(0, -2)) === parent);
    if (parent !== '/' && siblings.length >= SIBLING_LIMIT && mayCollapseInto(parent)) {
      const collapsed = `${parent}/*`;
      next = next.filter((p) => !covers(collapsed, p.replace(/\/\*$/, '/')));
      next.push(collapsed);
    }
  }
  return [...new Set(next)].sort();
}
