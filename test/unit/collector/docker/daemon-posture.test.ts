import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { daemonFlags, pickDaemon, postureFrom } from '../../../../collector/docker/daemon-posture.ts';

const json = (name: string) =>
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../fixtures/daemon', name), 'utf8')) as Record<
    string,
    never
  >;
const bridge = json('bridge-options.json') as Record<string, string>;

describe('daemon posture', () => {
  it('describes a default rootful 20.10 daemon: seccomp on, no userns, icc on, no live-restore', () => {
    const posture = postureFrom(
      json('info-20.10-rootful.json'),
      '1.41',
      bridge,
      ['unix:///var/run/docker.sock'],
      false,
    );
    expect(posture).toEqual({
      version: '20.10.24+dfsg1',
      apiVersion: '1.41',
      hosts: ['unix:///var/run/docker.sock'],
      tcpWithoutTls: false,
      userNamespaces: false,
      interContainerCommunication: true,
      liveRestore: false,
      seccompDefault: true,
      rootless: false,
      experimental: false,
      cgroupVersion: '1',
      storageDriver: 'overlay2',
    });
  });

  it('recognises user namespaces, live-restore, icc off and cgroup v2', () => {
    const posture = postureFrom(
      json('info-hardened.json'),
      '1.43',
      { ...bridge, 'com.docker.network.bridge.enable_icc': 'false' },
      ['unix:///run/docker.sock', 'tcp://0.0.0.0:2376'],
      true,
    );
    expect(posture.userNamespaces).toBe(true);
    expect(posture.liveRestore).toBe(true);
    expect(posture.interContainerCommunication).toBe(false);
    expect(posture.cgroupVersion).toBe('2');
    expect(posture.tcpWithoutTls).toBe(false);
    expect(posture.seccompDefault).toBe(true);
  });

  it('flags an unconfined seccomp profile and a TCP socket without TLS verification', () => {
    const posture = postureFrom(json('info-unconfined.json'), '1.43', {}, ['tcp://0.0.0.0:2375'], false);
    expect(posture.seccompDefault).toBe(false);
    expect(posture.tcpWithoutTls).toBe(true);
    expect(posture.rootless).toBe(true);
    expect(posture.experimental).toBe(true);
  });

  it('reads -H, --host=, -Hfoo and --tlsverify but not --host-gateway-ip from a dockerd command line', () => {
    const flags = daemonFlags([
      '/usr/bin/dockerd',
      '-H',
      'fd://',
      '--host=tcp://0.0.0.0:2376',
      '-Hunix:///run/alt.sock',
      '--host-gateway-ip=198.19.255.1',
      '--tlsverify',
    ]);
    expect(flags).toEqual({ hosts: ['fd://', 'tcp://0.0.0.0:2376', 'unix:///run/alt.sock'], tlsVerify: true });
  });

  it('judges the dockerd listening on our address when several run on one host', () => {
    const argvs = [
      ['dockerd', '--host', 'tcp://0.0.0.0:2375'],
      ['dockerd', '--host', 'unix:///tmp/sw-env/docker.sock', '--data-root', '/tmp/sw-env/data'],
      ['containerd', '--config', 'x'],
    ];
    expect(pickDaemon(argvs, 'unix:///tmp/sw-env/docker.sock').hosts).toEqual(['unix:///tmp/sw-env/docker.sock']);
    expect(pickDaemon(argvs, '/tmp/sw-env/docker.sock').hosts).toEqual(['unix:///tmp/sw-env/docker.sock']);
  });
});
