// Pure parsers of the kernel files container stats come from: /proc/self/mountinfo (where the
// cgroup hierarchies are mounted), /proc/<pid>/cgroup (which cgroup a process is in), the cgroup v1
// and v2 counter files, and /proc/<pid>/net/dev. Hand-written because no installed library parses
// them; the formats are documented in proc(5), cgroups(7) and the kernel's cgroup-v1/v2 docs.

export interface CgroupMounts {
  /** cgroup v1 controller (cpuacct, memory, pids…) → mount point. */
  v1: Map<string, string>;
  /** Mount point of the unified (v2) hierarchy, if any. */
  v2: string | null;
}

/** Where the cgroup file systems are mounted, from mountinfo: "… / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory". */
export function parseMountinfo(text: string): CgroupMounts {
  const mounts: CgroupMounts = { v1: new Map(), v2: null };
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const mountPoint = left.split(' ')[4];
    const [fsType, , superOptions = ''] = right.split(' ');
    if (!mountPoint) continue;
    if (fsType === 'cgroup2') mounts.v2 ??= mountPoint;
    if (fsType !== 'cgroup') continue;
    for (const option of superOptions.split(',')) {
      if (option !== 'rw' && option !== 'ro' && !option.includes('=')) mounts.v1.set(option, mountPoint);
    }
  }
  return mounts;
}

export interface ProcCgroup {
  /** cgroup v1: controller → path ("memory" → "/docker/<id>"). */
  v1: Map<string, string>;
  /** cgroup v2: the path of the "0::" line. */
  v2: string | null;
}

/** /proc/<pid>/cgroup: "4:memory:/docker/<id>" (v1, one line per hierarchy) and "0::/system.slice/docker-<id>.scope" (v2). */
export function parseProcCgroup(text: string): ProcCgroup {
  const result: ProcCgroup = { v1: new Map(), v2: null };
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const hierarchy = line.slice(0, first);
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1).trim();
    if (hierarchy === '0' && controllers === '') result.v2 = path;
    else for (const controller of controllers.split(',')) if (controller) result.v1.set(controller, path);
  }
  return result;
}

/** The 64-hex container id in a cgroup path: /docker/<id>, /system.slice/docker-<id>.scope, /kubepods/…/<id>. */
export function containerIdOfCgroup(path: string): string | null {
  const match = /(?:^|[/-])([0-9a-f]{64})(?:\.scope)?$/.exec(path);
  return match?.[1] ?? null;
}

export interface CgroupFiles {
  version: 1 | 2;
  /** v1: cpuacct.usage (nanoseconds); v2: cpu.stat (usage_usec). */
  cpu: string;
  /** v1: memory.usage_in_bytes; v2: memory.current. */
  memoryUsage: string;
  memoryStat: string;
  pidsCurrent: string;
}

/**
 * The counter files of one process's cgroup. v1 wins where the cpuacct and memory controllers are
 * mounted as v1 (hybrid systems also mount an empty unified hierarchy, as this machine does).
 */
export function cgroupFiles(mounts: CgroupMounts, proc: ProcCgroup): CgroupFiles | null {
  const cpuacct = mounts.v1.get('cpuacct');
  const memory = mounts.v1.get('memory');
  const cpuPath = proc.v1.get('cpuacct');
  const memoryPath = proc.v1.get('memory');
  if (cpuacct && memory && cpuPath !== undefined && memoryPath !== undefined) {
    const pids = mounts.v1.get('pids');
    const pidsPath = proc.v1.get('pids');
    return {
      version: 1,
      cpu: join(cpuacct, cpuPath, 'cpuacct.usage'),
      memoryUsage: join(memory, memoryPath, 'memory.usage_in_bytes'),
      memoryStat: join(memory, memoryPath, 'memory.stat'),
      pidsCurrent: pids && pidsPath !== undefined ? join(pids, pidsPath, 'pids.current') : '',
    };
  }
  if (mounts.v2 && proc.v2 !== null) {
    return {
      version: 2,
      cpu: join(mounts.v2, proc.v2, 'cpu.stat'),
      memoryUsage: join(mounts.v2, proc.v2, 'memory.current'),
      memoryStat: join(mounts.v2, proc.v2, 'memory.stat'),
      pidsCurrent: join(mounts.v2, proc.v2, 'pids.current'),
    };
  }
  return null;
}

function join(mountPoint: string, path: string, file: string): string {
  return `${mountPoint.replace(/\/$/, '')}${path === '/' ? '' : path}/${file}`;
}

/** "key value" lines (memory.stat, cpu.stat) → numbers. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) values.set(key, Number(value));
  }
  return values;
}

/** A file holding one number (cpuacct.usage, memory.current, pids.current); null for "max" or garbage. */
export function parseSingleNumber(text: string): number | null {
  const trimmed = text.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : null;
}

/** CPU seconds: v1 cpuacct.usage is nanoseconds; v2 cpu.stat usage_usec is microseconds. */
export function cpuSecondsFrom(version: 1 | 2, text: string): number | null {
  if (version === 1) {
    const ns = parseSingleNumber(text);
    return ns === null ? null : ns / 1e9;
  }
  const usec = parseFlatKeyed(text).get('usage_usec');
  return usec === undefined ? null : usec / 1e6;
}

/**
 * cAdvisor's working set: usage minus inactive file pages (the cache the kernel reclaims first),
 * floored at 0. v1 reports hierarchical totals as total_inactive_file; v2 as inactive_file.
 */
export function workingSetFrom(version: 1 | 2, usage: number, memoryStat: Map<string, number>): number {
  const inactive = (version === 1 ? memoryStat.get('total_inactive_file') : memoryStat.get('inactive_file')) ?? 0;
  return Math.max(0, usage - inactive);
}

export interface NetCounters {
  rxBytes: number;
  rxPackets: number;
  txBytes: number;
  txPackets: number;
}

/** /proc/<pid>/net/dev of the container's network namespace, summed over every interface but lo. */
export function parseNetDev(text: string): NetCounters {
  const total: NetCounters = { rxBytes: 0, rxPackets: 0, txBytes: 0, txPackets: 0 };
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    // The two header lines have no "name:" prefix followed by numbers.
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (name === 'lo' || fields.length < 16 || fields.some((n) => !Number.isFinite(n))) continue;
    total.rxBytes += fields[0] ?? 0;
    total.rxPackets += fields[1] ?? 0;
    total.txBytes += fields[8] ?? 0;
    total.txPackets += fields[9] ?? 0;
  }
  return total;
}
