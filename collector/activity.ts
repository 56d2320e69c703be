// Wires the process and file sources into the agent: one call from the pipeline. They share the
// drift registry (paths each container wrote since it started), so an exec of a dropped file is
// marked `drift: true` on its process.exec event.
import type { Agent } from '../agent/pipeline.ts';
import { createDockerClient } from './docker-client.ts';
import { DriftPaths } from './drift-paths.ts';
import { FileSource } from './files.ts';
import { ProcessSource } from './processes.ts';

export interface ActivitySources {
  processes: ProcessSource;
  files: FileSource;
  start(): void;
  stop(): void;
}

export function attachActivitySources(agent: Agent): ActivitySources {
  const drift = new DriftPaths();
  const common = { inventory: agent.inventory, host: agent.config.host, health: agent.health, emit: agent.bus.emit };
  const processes = new ProcessSource({ ...common, log: agent.log.child({ source: 'processes' }), drift });
  const files = new FileSource({
    ...common,
    docker: createDockerClient(agent.config.docker_host),
    log: agent.log.child({ source: 'files' }),
    drift,
  });
  agent.bus.subscribe(processes.observe);
  agent.bus.subscribe(files.observe);
  agent.bus.subscribe((event) => {
    if (event.kind === 'process.exec' || event.kind === 'process.exit' || event.kind === 'file.changed')
      agent.log.debug({ event }, event.kind);
  });
  return {
    processes,
    files,
    start() {
      processes.start();
      files.start();
    },
    stop() {
      processes.stop();
      files.stop();
    },
  };
}
