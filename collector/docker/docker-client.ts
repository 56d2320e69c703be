// Builds a dockerode client from a Docker host URL as users give it (DOCKER_HOST syntax). The
// config schema checks the URL with dockerHostProblem, so a bad one is reported at start with
// every other bad setting; dockerOptions trusts what it is given.
//
// dockerode is loaded on the client's first use, not at import: with ssh2, protobufjs, gRPC and
// OpenTelemetry behind it, it is about 0.15 s of start-up, which `run --pcap` on a machine without
// Docker (and every command that never talks to the daemon) paid for nothing.
import type Docker from 'dockerode';
import { createRequire } from 'node:module';

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

const require = createRequire(import.meta.url);

/**
 * A Docker client that loads dockerode and connects on its first method call. Its callers (the
 * Docker source, the stats and file sources, isolation) are handed it at construction and call
 * it later, synchronously (`getContainer(id)` returns at once): hence a synchronous require of
 * the CommonJS package on first use rather than `import()`.
 */
export function createDockerClient(dockerHost: string): Docker {
  let client: Docker | null = null;
  const real = (): Docker => {
    if (!client) {
      const DockerClient = require('dockerode') as typeof Docker;
      client = new DockerClient(dockerOptions(dockerHost));
    }
    return client;
  };
  return new Proxy({} as Docker, {
    get(_, property) {
      const target = real();
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
    has: (_, property) => Reflect.has(real(), property),
  });
}
