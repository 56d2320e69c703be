import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Health } from '../../core/health.ts';
import { createLogger } from '../../core/logger.ts';
import { createDockerClient } from '../../collector/docker/docker-client.ts';
import { containerFromInspect } from '../../collector/docker/docker-mapping.ts';
import type { EventOf, ShipwatchEvent } from '../../collector/events.ts';
import { Inventory } from '../../collector/inventory.ts';
import { StatsCollector } from '../../collector/stats/stats-collector.ts';
import { DOCKER_HOST, removeContainers, runContainer, uniqueName } from '../support/testenv.ts';

// The fallback path on the real daemon: the collector is pointed at a /proc without the
// container's files (as for an agent without the host's /proc) and must ask the Docker stats API.
describe('stats collection when the cgroup and /proc files cannot be read', () => {
  const name = uniqueName('fallback');
  const emptyProc = mkdtempSync(path.join(tmpdir(), 'sw-noproc-'));
  const docker = createDockerClient(DOCKER_HOST);
  const inventory = new Inventory();
  const health = new Health();
  const events: ShipwatchEvent[] = [];
  let collector: StatsCollector;

  beforeAll(async () => {
    await runContainer(
      name,
      ['--network', 'none'],
      ['sh', '-c', 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; sleep 600'],
    );
    inventory.upsertContainer(containerFromInspect(await docker.getContainer(name).inspect()));
    collector = new StatsCollector({
      inventory,
      docker,
      host: 'test',
      intervalMs: 1000,
      health,
      log: createLogger('silent', false),
      emit: (event) => events.push(event),
      procRoot: emptyProc,
    });
  });

  afterAll(async () => {
    await collector?.stop();
    await removeContainers(name);
    rmSync(emptyProc, { recursive: true, force: true });
  });

  it('samples through the Docker stats API and says so in /healthz', async () => {
    await collector.collectOnce();
    const samples = events.filter((e): e is EventOf<'stats.sample'> => e.kind === 'stats.sample');
    expect(samples).toHaveLength(1);
    expect(samples[0]?.container.name).toBe(name);
    expect(samples[0]?.stats.cpuSeconds).toBeGreaterThan(0);
    expect(samples[0]?.stats.memoryWorkingSetBytes).toBeGreaterThan(0);
    expect(samples[0]?.stats.pids).toBeGreaterThanOrEqual(1);
    expect(health.get('stats')?.detail).toMatch(/Docker stats API for 1 \(/);
  });
});
