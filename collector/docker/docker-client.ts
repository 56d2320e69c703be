// Builds a dockerode client from a Docker host URL as users give it (DOCKER_HOST syntax).
import Docker from 'dockerode';
import { ShipwatchError } from '../../core/errors.ts';

export function dockerOptions(dockerHost: string): Docker.DockerOptions {
  if (dockerHost.startsWith('/')) return { socketPath: dockerHost };
  let url: URL;
  try {
    url = new URL(dockerHost);
  } catch {
    throw new ShipwatchError(
      'SW_CONFIG_INVALID',
      `docker_host: expected unix:///path or tcp://host:port, got "${dockerHost}"`,
    );
  }
  switch (url.protocol) {
    case 'unix:':
      return { socketPath: url.pathname };
    case 'tcp:':
    case 'http:':
      return { host: url.hostname, port: Number(url.port || 2375), protocol: 'http' };
    case 'https:':
      return { host: url.hostname, port: Number(url.port || 2376), protocol: 'https' };
    default:
      throw new ShipwatchError(
        'SW_CONFIG_INVALID',
        `docker_host: unsupported scheme "${url.protocol}" in "${dockerHost}"`,
      );
  }
}

export function createDockerClient(dockerHost: string): Docker {
  return new Docker(dockerOptions(dockerHost));
}
