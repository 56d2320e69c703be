// Container stats: every stats_interval, one sample per running container, read from the kernel
// (kernel-stats.ts) and emitted as a stats.sample event. The Docker stats API is the fallback
// only for containers whose files cannot be read; /healthz (source "stats") says which is used.
import type Docker from 'dockerode';
import type { Health } from '../../core/health.ts';
import type { Logger } from '../../core/logger.ts';
import { sampleFromDockerStats, type DockerStatsJson } from './docker-stats.ts';
import type { ShipwatchEvent, StatsSample } from '../events.ts';
import { refOf, type Inventory } from '../inventory.ts';
import type { ContainerInfo } from '../inventory-types.ts';
import { KernelStatsReader } from './kernel-stats.ts';

export interface StatsCollectorOptions {
  inventory: Inventory;
  docker: Docker;
  host: string;
  intervalMs: number;
  health: Health;
  log: Logger;
  emit: (event: ShipwatchEvent) => void;
  now?: () => number;
  /** Where /proc is; tests point it elsewhere to exercise the fallback. */
  procRoot?: string;
}

type Outcome = { source: 'kernel'; version: 1 | 2 } | { source: 'docker-api'; reason: string } | { source: 'none' };

export class StatsCollector {
  readonly #o: StatsCollectorOptions;
  readonly #now: () => number;
  readonly #kernel: KernelStatsReader;
  /** container id → when its last sample was taken, for intervalMs. */
  readonly #lastAt = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #stopped = false;
  #warned = new Set<string>();

  constructor(options: StatsCollectorOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#kernel = new KernelStatsReader(options.procRoot);
  }

  start(): void {
    this.#o.health.set('stats', 'starting', `sampling every ${this.#o.intervalMs} ms`);
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      const started = this.#now();
      this.#running = this.collectOnce()
        .catch((error: unknown) => this.#o.log.error({ err: error }, 'stats collection failed'))
        .finally(() => this.#schedule(Math.max(0, this.#o.intervalMs - (this.#now() - started))));
    }, delay);
  }

  /** One round over every running or paused container. */
  async collectOnce(): Promise<void> {
    const containers = this.#o.inventory
      .containers()
      .filter((c) => (c.state === 'running' || c.state === 'paused') && c.pid > 0);
    this.#kernel.retain(new Set(containers.map((c) => c.pid)));
    const live = new Set(containers.map((c) => c.id));
    for (const id of this.#lastAt.keys()) if (!live.has(id)) this.#lastAt.delete(id);
    const outcomes = await Promise.all(containers.map((c) => this.#sample(c)));
    this.#reportHealth(outcomes);
  }

  async #sample(container: ContainerInfo): Promise<Outcome> {
    let stats: StatsSample;
    let outcome: Outcome;
    try {
      const { sample, version } = await this.#kernel.read(container.id, container.pid);
      stats = sample;
      outcome = { source: 'kernel', version };
    } catch (kernelError) {
      // Stopped between the inventory and the read: nothing to sample, nothing wrong.
      if (!this.#stillRunning(container)) return { source: 'none' };
      const reason = kernelError instanceof Error ? kernelError.message : String(kernelError);
      try {
        const json = (await this.#o.docker.getContainer(container.id).stats({ stream: false })) as DockerStatsJson;
        stats = sampleFromDockerStats(json);
        outcome = { source: 'docker-api', reason };
      } catch (apiError) {
        if (!this.#stillRunning(container)) return { source: 'none' };
        this.#warnOnce(container.id, { reason, api: String(apiError) }, 'cannot sample container stats');
        return { source: 'none' };
      }
    }
    if (!this.#stillRunning(container)) return { source: 'none' };
    const at = this.#now();
    const previous = this.#lastAt.get(container.id);
    this.#lastAt.set(container.id, at);
    this.#o.emit({
      kind: 'stats.sample',
      at,
      host: this.#o.host,
      container: refOf(container),
      stats,
      intervalMs: previous === undefined ? this.#o.intervalMs : at - previous,
    });
    return outcome;
  }

  #stillRunning(container: ContainerInfo): boolean {
    const now = this.#o.inventory.container(container.id);
    return now !== undefined && now.pid === container.pid && (now.state === 'running' || now.state === 'paused');
  }

  #warnOnce(id: string, details: Record<string, unknown>, message: string): void {
    if (this.#warned.has(id)) return;
    this.#warned.add(id);
    this.#o.log.warn({ container: id, ...details }, message);
  }

  #reportHealth(outcomes: Outcome[]): void {
    const kernel = outcomes.filter((o) => o.source === 'kernel');
    const api = outcomes.filter((o): o is Extract<Outcome, { source: 'docker-api' }> => o.source === 'docker-api');
    const versions = [...new Set(kernel.map((o) => `v${o.version}`))].sort().join('+') || 'v1/v2';
    let detail = `cgroup ${versions} files and /proc/<pid>/net/dev for ${kernel.length} containers`;
    if (api.length) detail += `; Docker stats API for ${api.length} (${api[0]?.reason ?? ''})`;
    detail += `; every ${this.#o.intervalMs} ms`;
    this.#o.health.set('stats', 'up', detail);
  }
}
