// Which container a process belongs to, from the text of /proc/<pid>/cgroup. Docker puts a
// container's processes under `/docker/<id>` (cgroupfs driver, v1 and v2) or
// `/system.slice/docker-<id>.scope` (systemd driver). containerd-shim, runc and dockerd itself
// live outside those paths, so they count as the host, as they should.

const PATTERNS = [/\/docker\/([0-9a-f]{64})(?:\/|$)/, /\/docker-([0-9a-f]{64})\.scope(?:\/|$)/];

/** The container id of one cgroup path (`/docker/<id>`, `/system.slice/docker-<id>.scope`), or null for the host. */
export function containerIdFromCgroupPath(path: string): string | null {
  for (const pattern of PATTERNS) {
    const match = pattern.exec(path);
    if (match?.[1]) return match[1];
  }
  return null;
}

/** The container id of a cgroup file's text, or null for the host. */
export function containerIdFromCgroup(text: string): string | null {
  for (const line of text.split('\n')) {
    // hierarchy-id:controllers:path; the path may itself contain ':' only in theory, so split twice.
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const id = containerIdFromCgroupPath(line.slice(second + 1));
    if (id) return id;
  }
  return null;
}
