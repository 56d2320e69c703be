// stats.sample carries cumulative counters (CPU seconds, bytes) plus the interval: rates come
// from the difference to the container's previous sample. A counter that goes backwards (the
// container restarted, the cgroup was recreated) yields no rate rather than a negative spike.
import type { StatsSample } from '../collector/events.ts';
import type { ResourceMetric } from './baseline.ts';

export interface PreviousSample {
  stats: StatsSample;
  at: number;
}

export type Rates = Record<ResourceMetric, number>;

export function rates(
  previous: PreviousSample | undefined,
  stats: StatsSample,
  at: number,
  intervalMs: number,
): Rates | null {
  if (!previous) return null;
  const ms = at > previous.at ? at - previous.at : intervalMs;
  if (ms <= 0) return null;
  const seconds = ms / 1000;
  const cpu = stats.cpuSeconds - previous.stats.cpuSeconds;
  const rx = stats.rxBytes - previous.stats.rxBytes;
  const tx = stats.txBytes - previous.stats.txBytes;
  if (cpu < 0 || rx < 0 || tx < 0) return null;
  return {
    cpu: cpu / seconds,
    memory: stats.memoryWorkingSetBytes,
    network_rx: rx / seconds,
    network_tx: tx / seconds,
    pids: stats.pids,
  };
}
