// The stats source's door: per-container CPU, memory, network and pid samples from the kernel's
// counters, with Docker's stats API as the fallback.
export { StatsCollector, type StatsCollectorOptions } from './stats-collector.ts';
export { KernelStatsReader } from './kernel-stats.ts';
