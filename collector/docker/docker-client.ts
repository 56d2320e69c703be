// Builds a dockerode client from a Docker host URL as users give it (DOCKER_HOST syntax). The
// config schema checks the URL with dockerHostProblem, so a bad one is reported at start with
// every other bad setting; dockerOptions trusts what it is given.
import Docker from 'dockerode';

export { dockerHostProblem } from '../../core/docker-host.ts';

/** For a Docker host the config schema accepted (dockerHostProblem returned null). */
export function dockerOptions(dockerHost: string): Docker.DockerOptions {
  if (dockerHost.startsWith('/')) return { socketPath: dockerHost };
  const url = new URL(dockerHost);
  switch (url.protocol) {
    case 'unix:':
      return { socketPath: url.pathname };
    case 'tcp:':
    case 'http:':
      return { host: url.hostname, port: Number(url.port || 2375), protocol: 'http' };
    case 'https:':
      return { host: url.hostname, port: Number(url.port || 2376), protocol: 'https' };
    default:
      // Reaching here means a caller skipped the schema: a bug, not a user's mistake.
      throw new Error(`docker host "${dockerHost}" was not validated (dockerHostProblem)`);
  }
}

export function createDockerClient(dockerHost: string): Docker {
  return new Docker(dockerOptions(dockerHost));
}
