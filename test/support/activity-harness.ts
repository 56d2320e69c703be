// The process and file sources against the real kernel and the private daemon, with a real
// Inventory filled by the real DockerSource, collecting every event they emit.
import { pino } from 'pino';
import { EventBus } from '../../agent/event-bus.ts';
import { Health } from '../../core/health.ts';
import { createDockerClient } from '../../collector/docker/docker-client.ts';
import { DockerSource } from '../../collector/docker/docker-source.ts';
import { DriftPaths } from '../../collector/files/drift-paths.ts';
import type { ShipwatchEvent } from '../../collector/events.ts';
import { FileSource } from '../../collector/files/file-source.ts';
import { Inventory } from '../../collector/inventory.ts';
import { ProcessSource } from '../../collector/processes/process-source.ts';
import { DOCKER_HOST } from './testenv.ts';

export interface ActivityHarness {
  events: ShipwatchEvent[];
  health: Health;
  processes: ProcessSource;
  files: FileSource;
  stop(): Promise<void>;
}

export async function startActivity(
  mode: 'auto' | 'poll' = 'auto',
  onLatency?: (ns: bigint) => void,
): Promise<ActivityHarness> {
  const log = pino({ level: 'warn' });
  const health = new Health();
  const inventory = new Inventory();
  const bus = new EventBus(log);
  const events: ShipwatchEvent[] = [];
  const drift = new DriftPaths();
  const docker = createDockerClient(DOCKER_HOST);
  const common = { inventory, host: 'test-host', health, log, emit: bus.emit };
  const source = new DockerSource({ ...common, docker, dockerHost: DOCKER_HOST, zoneMapping: {} });
  const processes = new ProcessSource({
    ...common,
    drift,
    mode,
    pollIntervalMs: 200,
    ...(onLatency ? { onLatency } : {}),
  });
  const files = new FileSource({ ...common, docker, drift });
  bus.subscribe((event) => events.push(event));
  bus.subscribe(processes.observe);
  bus.subscribe(files.observe);
  processes.start();
  files.start();
  source.start();
  await Promise.all([source.synced(), processes.ready()]);
  return {
    events,
    health,
    processes,
    files,
    async stop() {
      processes.stop();
      files.stop();
      await source.stop();
    },
  };
}
