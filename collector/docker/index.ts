// The Docker source's door: inventory and events from the Docker API, and the client it uses.
export { createDockerClient, dockerHostProblem, dockerOptions } from './docker-client.ts';
export { DockerSource, type DockerSourceOptions } from './docker-source.ts';
export { waitForEngine } from './engine-wait.ts';
export { containerResolvers, nameservers } from './resolvers.ts';
