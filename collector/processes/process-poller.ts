// The fallback where the proc connector is unavailable (no CAP_NET_ADMIN, a kernel without
// CONFIG_PROC_EVENTS): poll each running container's cgroup member list and report pids that
// appeared or vanished. It cannot see processes that live shorter than one interval; /healthz
// says so.
import { readFileSync } from 'node:fs';
import type { Inventory } from '../inventory.ts';

/** Where a container's member list lives: cgroup v1 controllers first, then the v2 unified tree. */
const CGROUP_ROOTS = ['/sys/fs/cgroup/pids', '/sys/fs/cgroup/memory', '/sys/fs/cgroup/cpu', '/sys/fs/cgroup'];

export interface ProcessPollerOptions {
  inventory: Inventory;
  intervalMs: number;
  onExec: (pid: number) => void;
  onExit: (pid: number) => void;
  now?: () => number;
}

export function readCgroupPids(cgroupPath: string): number[] | null {
  for (const root of CGROUP_ROOTS) {
    try {
      const text = readFileSync(`${root}${cgroupPath}/cgroup.procs`, 'latin1');
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map(Number);
    } catch {
      // Not this hierarchy; try the next.
    }
  }
  return null;
}

export class ProcessPoller {
  readonly #o: ProcessPollerOptions;
  readonly #startedAt: number;
  readonly #known = new Map<string, Set<number>>();
  #timer: NodeJS.Timeout | null = null;

  constructor(options: ProcessPollerOptions) {
    this.#o = options;
    this.#startedAt = (options.now ?? Date.now)();
  }

  start(): void {
    this.poll();
    this.#timer = setInterval(() => this.poll(), this.#o.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  poll(): void {
    const live = new Set<string>();
    for (const container of this.#o.inventory.containers()) {
      if (container.state !== 'running' && container.state !== 'paused') continue;
      const pids = readCgroupPids(container.cgroupPath ?? `/docker/${container.id}`);
      if (!pids) continue;
      live.add(container.id);
      const previous = this.#known.get(container.id);
      const current = new Set(pids);
      // Processes already running when we started are not news; a container started later is.
      const report = previous !== undefined || container.startedAt >= this.#startedAt;
      if (report) for (const pid of current) if (!previous?.has(pid)) this.#o.onExec(pid);
      if (previous) for (const pid of previous) if (!current.has(pid)) this.#o.onExit(pid);
      this.#known.set(container.id, current);
    }
    for (const [id, pids] of this.#known) {
      if (live.has(id)) continue;
      for (const pid of pids) this.#o.onExit(pid);
      this.#known.delete(id);
    }
  }
}
