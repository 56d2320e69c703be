import { describe, expect, it } from 'vitest';
import { dockerHostProblem, dockerOptions } from '../../../../collector/docker/docker-client.ts';

describe('the Docker client options', () => {
  it('reach a socket given as a unix URL or a bare path', () => {
    expect(dockerOptions('unix:///run/docker.sock')).toEqual({ socketPath: '/run/docker.sock' });
    expect(dockerOptions('/run/docker.sock')).toEqual({ socketPath: '/run/docker.sock' });
  });

  it("use Docker's default ports when a TCP URL names none", () => {
    expect(dockerOptions('tcp://10.0.0.1')).toEqual({ host: '10.0.0.1', port: 2375, protocol: 'http' });
    expect(dockerOptions('https://10.0.0.1')).toEqual({ host: '10.0.0.1', port: 2376, protocol: 'https' });
  });

  it('refuse, for the config schema to report, what no option can be built from', () => {
    expect(dockerHostProblem('tcp://127.0.0.1:2375')).toBeNull();
    expect(dockerHostProblem('docker.sock')).toMatch(/^expected unix:\/\/\/path or tcp:\/\/host:port/);
    expect(dockerHostProblem('ssh://host')).toBe('unsupported scheme "ssh:" in "ssh://host"');
  });
});
