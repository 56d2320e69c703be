import { describe, expect, it } from 'vitest';
import { sampleFromDockerStats } from '../../../../collector/stats/docker-stats.ts';

describe('Docker stats API fallback', () => {
  it('turns a cgroup v1 stats document into a sample', () => {
    const sample = sampleFromDockerStats({
      cpu_stats: { cpu_usage: { total_usage: 2_500_000_000 } },
      memory_stats: { usage: 6_000_000, stats: { total_inactive_file: 1_000_000, inactive_file: 7 } },
      networks: {
        eth0: { rx_bytes: 100, rx_packets: 2, tx_bytes: 50, tx_packets: 1 },
        eth1: { rx_bytes: 10, rx_packets: 1, tx_bytes: 5, tx_packets: 1 },
      },
      pids_stats: { current: 3 },
    });
    expect(sample).toEqual({
      cpuSeconds: 2.5,
      memoryWorkingSetBytes: 5_000_000,
      rxBytes: 110,
      rxPackets: 3,
      txBytes: 55,
      txPackets: 2,
      pids: 3,
    });
  });

  it('uses inactive_file on cgroup v2 and tolerates a container without networks', () => {
    const sample = sampleFromDockerStats({ memory_stats: { usage: 500, stats: { inactive_file: 800 } } });
    expect(sample.memoryWorkingSetBytes).toBe(0);
    expect(sample.rxBytes).toBe(0);
    expect(sample.cpuSeconds).toBe(0);
  });
});
