import { describe, expect, it } from 'vitest';
import { api, dockerExec, exec, fileChanged, started } from '../../../fixtures/events.ts';
import { harness } from '../../../fixtures/harness.ts';

function escapes(argv: string[], exe = '/bin/busybox') {
  const h = harness();
  h.feed(started(h.at(0), api));
  return h.feed(exec(h.at(10), api, exe, argv)).filter((f) => f.rule === 'container_escape');
}

describe('container_escape', () => {
  it.each([
    [['nsenter', '-t', '1', '-m', '-u', '-n', '-i', 'sh'], 'entered other namespaces with nsenter'],
    [['unshare', '-UrmC', 'sh'], 'created new namespaces with unshare'],
    [['mount', '-t', 'cgroup', '-o', 'rdma', 'cgroup', '/tmp/cg'], 'mounted a cgroup file system'],
    [['mount', '/dev/sda1', '/mnt'], 'mounted the host device /dev/sda1'],
    [['insmod', '/tmp/rootkit.ko'], 'loaded a kernel module with insmod'],
    [['sh', '-c', 'echo /cmd > /tmp/cg/release_agent'], 'wrote or named release_agent'],
    [['sh', '-c', "echo '|/tmp/x' > /proc/sys/kernel/core_pattern"], 'wrote or named proc/sys/kernel/core_pattern'],
    [['sh', '-c', 'echo b > /proc/sysrq-trigger'], 'wrote or named proc/sysrq-trigger'],
  ])('alerts on %j', (argv, why) => {
    const [finding] = escapes(argv);
    expect(finding?.summary).toContain(why);
    expect(finding?.mitre).toBeUndefined();
  });

  it('names T1609 when a container drives the Docker socket', () => {
    const viaDocker = escapes(['docker', '-H', 'unix:///var/run/docker.sock', 'ps'], '/usr/local/bin/docker');
    const viaCurl = escapes(
      ['curl', '--unix-socket', '/var/run/docker.sock', 'http://x/containers/json'],
      '/usr/bin/curl',
    );
    expect(viaDocker[0]?.mitre).toEqual({ tactic: 'execution', technique: 'T1609' });
    expect(viaCurl[0]?.summary).toContain('drove the container-runtime socket');
  });

  it('alerts on a release_agent written inside the overlay', () => {
    const h = harness();
    h.feed(started(h.at(0), api));
    const found = h.feed(fileChanged(h.at(10), api, '/tmp/cgrp/x/release_agent'));
    expect(found.map((f) => f.rule)).toContain('container_escape');
  });

  it.each([
    [['mount']],
    [['mount', '-t', 'tmpfs', 'tmpfs', '/mnt/cache']],
    [['sh', '-c', 'cat /proc/sys/kernel/hostname']],
    [['curl', '--unix-socket', '/run/app/app.sock', 'http://x/health']],
    [['make', 'install', 'PREFIX=/usr/local']],
  ])('stays silent for %j', (argv) => {
    expect(escapes(argv, argv[0] === 'curl' ? '/usr/bin/curl' : '/bin/busybox')).toEqual([]);
  });
});

describe('container_escape in a command line', () => {
  it('finds nsenter in the sh -c script of a process gone too fast to read its own argv', () => {
    const [finding] = escapes(['sh', '-c', 'nsenter -t 1 -m -u -i -n sh -c true; true']);
    expect(finding?.summary).toContain('entered other namespaces with nsenter');
  });

  it('judges what docker exec ran, from Docker’s own record', () => {
    const h = harness();
    h.feed(started(h.at(0), api));
    const found = h.feed(
      dockerExec(h.at(10), api, ['sh', '-c', 'mkdir /tmp/cg && mount -t cgroup -o rdma cgroup /tmp/cg']),
    );
    expect(found.filter((f) => f.rule === 'container_escape').map((f) => f.summary)).toEqual([
      expect.stringContaining('mounted a cgroup file system'),
    ]);
  });

  it('leaves Docker healthchecks alone', () => {
    const h = harness();
    h.feed(started(h.at(0), api));
    const found = h.feed(dockerExec(h.at(10), api, ['sh', '-c', 'mount | grep overlay'], { healthcheck: true }));
    expect(found.map((f) => f.rule)).not.toContain('container_escape');
  });
});
