import { describe, expect, it } from 'vitest';
import { containerIdFromCgroup } from '../../../../collector/processes/cgroup-container.ts';

const ID = 'bc0f12fca6a9f0f1065b01412dcef92a2cbadf90f58cab34c56a382171ed37c0';

describe('container id from /proc/<pid>/cgroup', () => {
  it('reads the cgroupfs driver path of cgroup v1', () => {
    expect(containerIdFromCgroup(`12:pids:/docker/${ID}\n9:name=systemd:/docker/${ID}\n`)).toBe(ID);
  });

  it('reads the unified path of cgroup v2', () => {
    expect(containerIdFromCgroup(`0::/docker/${ID}\n`)).toBe(ID);
  });

  it('reads the systemd driver scope', () => {
    expect(containerIdFromCgroup(`0::/system.slice/docker-${ID}.scope\n`)).toBe(ID);
  });

  it('treats the host, dockerd and containerd shims as no container', () => {
    expect(containerIdFromCgroup('9:name=systemd:/\n1:cpu:/\n')).toBeNull();
    expect(containerIdFromCgroup('0::/system.slice/containerd.service\n')).toBeNull();
    expect(containerIdFromCgroup('0::/system.slice/docker.service\n')).toBeNull();
  });

  it('ignores ids that are not 64 hex characters', () => {
    expect(containerIdFromCgroup('0::/docker/buildkit\n')).toBeNull();
  });
});
