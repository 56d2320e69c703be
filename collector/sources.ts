// Wires the process and file sources: one call from the pipeline. They share the drift registry
// (paths each container wrote since it started), so an exec of a dropped file is marked
// `drift: true` on its process.exec event. Takes what it uses, not the agent: collector/ must
// not depend on the wiring that depends on it.
import type { Health } from '../core/health.ts';
import type { Logger } from '../core/logger.ts';
import { createDockerClient } from './docker/docker-client.ts';
import { DriftPaths } from './files/drift-paths.ts';
import type { ShipwatchEvent } from './events.ts';
import { FileSource } from './files/file-source.ts';
import type { Inventory } from './inventory.ts';
import { ProcessSource } from './processes/process-source.ts';

export interface ActivityOptions {
  inventory: Inventory;
  /** Host name in every event. */
  host: string;
  /** Docker engine the file source asks for a container's earlier changes. */
  dockerHost: string;
  health: Health;
  log: Logger;
  emit: (event: ShipwatchEvent) => void;
  /** The sources follow the inventory (container started, stopped) through the event stream. */
  subscribe: (listener: (event: ShipwatchEvent) => void) => void;
}

export interface ActivitySources {
  processes: ProcessSource;
  files: FileSource;
  start(): void;
  stop(): void;
}

export function attachActivitySources(o: ActivityOptions): ActivitySources {
  const drift = new DriftPaths();
  const common = { inventory: o.inventory, host: o.host, health: o.health, emit: o.emit };
  const processes = new ProcessSource({ ...common, log: o.log.child({ source: 'processes' }), drift });
  const files = new FileSource({
    ...common,
    docker: createDockerClient(o.dockerHost),
    log: o.log.child({ source: 'files' }),
    drift,
  });
  o.subscribe(processes.observe);
  o.subscribe(files.observe);
  o.subscribe((event) => {
    if (event.kind === 'process.exec' || event.kind === 'process.exit' || event.kind === 'file.changed')
      o.log.debug({ event }, event.kind);
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
