// cAdvisor-named container metrics from stats.sample events. The kernel's counters are cumulative
// per cgroup / network namespace and start again at zero when a container restarts; Prometheus
// counters must never go down, so each is incremented by the growth between two readings, and
// after a reset by the new reading (the usage since the restart), never by a negative amount.
import type { ContainerRef, ShipwatchEvent, StatsSample } from '../collector/events.ts';
import type { Metrics } from './metrics.ts';

type Labels = { name: string; image: string; workload: string };

function labelsOf(ref: ContainerRef): Labels {
  return { name: ref.name, image: ref.image, workload: ref.workload };
}

/** How much a cumulative counter grew; a reading below the previous one is a reset. */
export function counterGrowth(previous: number | undefined, current: number): number {
  if (previous === undefined || current < previous) return Math.max(0, current);
  return current - previous;
}

const ZERO: StatsSample = {
  cpuSeconds: 0,
  memoryWorkingSetBytes: 0,
  rxBytes: 0,
  txBytes: 0,
  rxPackets: 0,
  txPackets: 0,
  pids: 0,
};

export class ContainerMetrics {
  readonly #metrics: Metrics;
  /** container id → last sample and the labels its series were written with. */
  readonly #last = new Map<string, { stats: StatsSample; labels: Labels }>();
  /**
   * Containers already removed: a sample read just before the removal can be delivered just after
   * it, and must not bring the series back. Ids are never reused; the set is bounded.
   */
  readonly #gone = new Set<string>();

  constructor(metrics: Metrics) {
    this.#metrics = metrics;
  }

  readonly handle = (event: ShipwatchEvent): void => {
    switch (event.kind) {
      case 'stats.sample':
        if (!this.#gone.has(event.container.id)) this.#record(event.container, event.stats);
        return;
      case 'container.started': {
        // A (re)start means new cgroup counters from zero, even when they soon exceed the old ones.
        const last = this.#last.get(event.container.id);
        if (last) this.#last.set(event.container.id, { stats: ZERO, labels: last.labels });
        return;
      }
      case 'container.stopped': {
        // A stopped container has no working set; its counters stay until it is removed.
        const last = this.#last.get(event.container.id);
        if (last) this.#metrics.memoryWorkingSet.remove(last.labels);
        return;
      }
      case 'container.removed': {
        const last = this.#last.get(event.container.id);
        this.#metrics.removeContainer(last?.labels ?? labelsOf(event.container));
        this.#last.delete(event.container.id);
        this.#gone.add(event.container.id);
        if (this.#gone.size > 4096) this.#gone.delete(this.#gone.values().next().value ?? '');
        return;
      }
      default:
        return;
    }
  };

  #record(ref: ContainerRef, stats: StatsSample): void {
    const labels = labelsOf(ref);
    const last = this.#last.get(ref.id);
    // Renamed: move the series to the new name rather than leave the old ones behind.
    if (last && last.labels.name !== labels.name) this.#metrics.removeContainer(last.labels);
    const previous = last && last.labels.name === labels.name ? last.stats : undefined;
    const m = this.#metrics;
    m.cpuSeconds.inc(labels, counterGrowth(previous?.cpuSeconds, stats.cpuSeconds));
    m.networkReceive.inc(labels, counterGrowth(previous?.rxBytes, stats.rxBytes));
    m.networkTransmit.inc(labels, counterGrowth(previous?.txBytes, stats.txBytes));
    m.memoryWorkingSet.set(labels, stats.memoryWorkingSetBytes);
    this.#last.set(ref.id, { stats, labels });
  }
}
