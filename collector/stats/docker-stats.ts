// The fallback: one sample from the Docker stats API (`GET /containers/{id}/stats?stream=false`),
// used only for containers whose cgroup or /proc files cannot be read (an agent in a container
// without the host's /proc, a cgroup layout we do not know). Costs the daemon a goroutine and a
// JSON encode per call, which is why it is not the default.
import type { StatsSample } from '../events.ts';

/** The part of Docker's stats JSON we read (the same shape on cgroup v1 and v2). */
export interface DockerStatsJson {
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes?: number; rx_packets?: number; tx_bytes?: number; tx_packets?: number }>;
  pids_stats?: { current?: number };
}

export function sampleFromDockerStats(json: DockerStatsJson): StatsSample {
  const memoryStats = json.memory_stats?.stats ?? {};
  // v1 reports total_inactive_file, v2 inactive_file: cAdvisor's working set either way.
  const inactive = memoryStats.total_inactive_file ?? memoryStats.inactive_file ?? 0;
  const sample: StatsSample = {
    // Docker reports nanoseconds on both cgroup versions (it converts v2's usage_usec).
    cpuSeconds: (json.cpu_stats?.cpu_usage?.total_usage ?? 0) / 1e9,
    memoryWorkingSetBytes: Math.max(0, (json.memory_stats?.usage ?? 0) - inactive),
    rxBytes: 0,
    txBytes: 0,
    rxPackets: 0,
    txPackets: 0,
    pids: json.pids_stats?.current ?? 0,
  };
  for (const n of Object.values(json.networks ?? {})) {
    sample.rxBytes += n.rx_bytes ?? 0;
    sample.rxPackets += n.rx_packets ?? 0;
    sample.txBytes += n.tx_bytes ?? 0;
    sample.txPackets += n.tx_packets ?? 0;
  }
  return sample;
}
