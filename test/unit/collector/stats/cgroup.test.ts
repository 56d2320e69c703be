import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cgroupFiles,
  containerIdOfCgroup,
  cpuSecondsFrom,
  parseFlatKeyed,
  parseMountinfo,
  parseNetDev,
  parseProcCgroup,
  parseSingleNumber,
  workingSetFrom,
} from '../../../../collector/stats/cgroup.ts';

const fixture = (name: string) =>
  readFileSync(path.resolve(import.meta.dirname, '../../../fixtures/cgroup', name), 'utf8');
const ID = '3f1c0c8a64d3b5a0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8';

describe('cgroup mounts from mountinfo', () => {
  it('finds each v1 controller and the unified hierarchy on a hybrid host', () => {
    const mounts = parseMountinfo(fixture('mountinfo-v1.txt'));
    expect(mounts.v1.get('cpuacct')).toBe('/sys/fs/cgroup/cpuacct');
    expect(mounts.v1.get('memory')).toBe('/sys/fs/cgroup/memory');
    expect(mounts.v1.get('pids')).toBe('/sys/fs/cgroup/pids');
    expect(mounts.v1.has('name=systemd')).toBe(false);
    expect(mounts.v2).toBe('/sys/fs/cgroup/unified');
  });

  it('maps both controllers of a joined cpu,cpuacct mount', () => {
    const mounts = parseMountinfo(fixture('mountinfo-v1-joined.txt'));
    expect(mounts.v1.get('cpu')).toBe('/sys/fs/cgroup/cpu,cpuacct');
    expect(mounts.v1.get('cpuacct')).toBe('/sys/fs/cgroup/cpu,cpuacct');
  });

  it('finds a pure v2 host with no v1 controllers', () => {
    const mounts = parseMountinfo(fixture('mountinfo-v2.txt'));
    expect(mounts.v1.size).toBe(0);
    expect(mounts.v2).toBe('/sys/fs/cgroup');
  });
});

describe('/proc/<pid>/cgroup', () => {
  it('reads the cgroupfs-driver v1 form /docker/<id>', () => {
    const proc = parseProcCgroup(fixture('proc-cgroup-v1.txt'));
    expect(proc.v1.get('memory')).toBe(`/docker/${ID}`);
    expect(proc.v2).toBe('/');
    expect(containerIdOfCgroup(proc.v1.get('memory') ?? '')).toBe(ID);
  });

  it('reads the systemd-driver form docker-<id>.scope with joined controllers', () => {
    const proc = parseProcCgroup(fixture('proc-cgroup-v1-systemd.txt'));
    expect(proc.v1.get('cpuacct')).toBe(`/system.slice/docker-${ID}.scope`);
    expect(proc.v1.get('cpu')).toBe(`/system.slice/docker-${ID}.scope`);
    expect(containerIdOfCgroup(proc.v2 ?? '')).toBe(ID);
  });

  it('reads the v2 single-line form', () => {
    const proc = parseProcCgroup(fixture('proc-cgroup-v2.txt'));
    expect(proc.v1.size).toBe(0);
    expect(proc.v2).toBe(`/system.slice/docker-${ID}.scope`);
  });

  it('finds no container id in a host cgroup', () => {
    expect(containerIdOfCgroup('/')).toBeNull();
    expect(containerIdOfCgroup('/user.slice/user-0.slice/session-3.scope')).toBeNull();
  });
});

describe('cgroup counter files', () => {
  it('uses v1 controller files where cpuacct and memory are v1', () => {
    const files = cgroupFiles(
      parseMountinfo(fixture('mountinfo-v1.txt')),
      parseProcCgroup(fixture('proc-cgroup-v1.txt')),
    );
    expect(files).toEqual({
      version: 1,
      cpu: `/sys/fs/cgroup/cpuacct/docker/${ID}/cpuacct.usage`,
      memoryUsage: `/sys/fs/cgroup/memory/docker/${ID}/memory.usage_in_bytes`,
      memoryStat: `/sys/fs/cgroup/memory/docker/${ID}/memory.stat`,
      pidsCurrent: `/sys/fs/cgroup/pids/docker/${ID}/pids.current`,
    });
  });

  it('uses the unified hierarchy on a v2 host', () => {
    const files = cgroupFiles(
      parseMountinfo(fixture('mountinfo-v2.txt')),
      parseProcCgroup(fixture('proc-cgroup-v2.txt')),
    );
    expect(files?.version).toBe(2);
    expect(files?.cpu).toBe(`/sys/fs/cgroup/system.slice/docker-${ID}.scope/cpu.stat`);
    expect(files?.memoryUsage).toBe(`/sys/fs/cgroup/system.slice/docker-${ID}.scope/memory.current`);
  });

  it('converts v1 nanoseconds and v2 microseconds to seconds', () => {
    expect(cpuSecondsFrom(1, '2503117000\n')).toBeCloseTo(2.503117, 9);
    expect(cpuSecondsFrom(2, fixture('cpu.stat-v2.txt'))).toBeCloseTo(2.503117, 9);
    expect(cpuSecondsFrom(2, 'user_usec 5\n')).toBeNull();
  });

  it('computes the working set as usage minus inactive file pages, as cAdvisor does', () => {
    expect(workingSetFrom(1, 6_025_216, parseFlatKeyed(fixture('memory.stat-v1.txt')))).toBe(6_025_216 - 233_472);
    expect(workingSetFrom(2, 6_025_216, parseFlatKeyed(fixture('memory.stat-v2.txt')))).toBe(6_025_216 - 233_472);
  });

  it('floors the working set at zero when inactive file pages exceed usage', () => {
    expect(workingSetFrom(1, 100, parseFlatKeyed('total_inactive_file 4096\n'))).toBe(0);
  });

  it('reads single-number files and refuses "max"', () => {
    expect(parseSingleNumber('12\n')).toBe(12);
    expect(parseSingleNumber('max\n')).toBeNull();
  });
});

describe('/proc/<pid>/net/dev', () => {
  it('sums every interface but lo', () => {
    expect(parseNetDev(fixture('net-dev.txt'))).toEqual({
      rxBytes: 503_502_963 + 1139,
      rxPackets: 12_595 + 20,
      txBytes: 841_961 + 2524,
      txPackets: 7673 + 28,
    });
  });

  it('reads an interface whose counters touch the colon', () => {
    const text = 'Inter-|\n face |\n  eth0:123456789012 5 0 0 0 0 0 0 42 1 0 0 0 0 0 0\n';
    expect(parseNetDev(text)).toEqual({ rxBytes: 123_456_789_012, rxPackets: 5, txBytes: 42, txPackets: 1 });
  });
});
