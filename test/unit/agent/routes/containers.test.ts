import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../../alerts/metrics.ts';
import { containerView } from '../../../../agent/routes/containers.ts';
import { updateContainerGauge } from '../../../../agent/metrics-wiring.ts';
import { Inventory } from '../../../../collector/inventory.ts';
import type { ContainerInfo, NetworkInfo } from '../../../../collector/inventory-types.ts';

function info(name: string, state: ContainerInfo['state'], workload = 'shop/api'): ContainerInfo {
  return {
    id: `${name}-id`,
    name,
    image: 'shop/api:1',
    imageId: 'sha256:1',
    workload,
    labels: {},
    state,
    pid: state === 'running' ? 42 : 0,
    startedAt: Date.UTC(2026, 10, 23, 4),
    createdAt: 0,
    networks: [
      {
        name: 'shop_backend',
        networkId: 'net1',
        ipv4: '198.18.64.3',
        ipv6: null,
        mac: '02:42:c6:12:40:03',
        aliases: ['api'],
        ipamIpv4: null,
        ipamIpv6: null,
        links: [],
      },
    ],
    cgroupPath: null,
    upperDir: null,
    entrypoint: [],
    cmd: [],
    healthcheck: null,
    security: {} as ContainerInfo['security'],
  };
}

const network = { id: 'net1', name: 'shop_backend', zone: 'internal' } as NetworkInfo;

describe('the /api/containers view', () => {
  it('shows each network with its zone, Docker state and shipwatch state apart, times as ISO strings', () => {
    const inventory = new Inventory();
    inventory.upsertNetwork(network);
    const view = containerView(info('api-1', 'running'), inventory, () => 'isolated');
    expect(view).toMatchObject({
      dockerState: 'running',
      state: 'isolated',
      zones: ['internal'],
      startedAt: '2026-11-23T04:00:00.000Z',
      createdAt: null,
      networks: [{ name: 'shop_backend', ipv4: '198.18.64.3', aliases: ['api'], zone: 'internal' }],
    });
  });

  it('counts only live containers in shipwatch_containers, every state present', async () => {
    const inventory = new Inventory();
    inventory.upsertContainer(info('a', 'running'));
    inventory.upsertContainer(info('b', 'paused', 'shop/web'));
    inventory.upsertContainer(info('c', 'exited'));
    const metrics = new Metrics();
    updateContainerGauge(metrics, inventory, (c) => (c.workload === 'shop/web' ? 'monitoring' : 'learning'));
    const values: Record<string, number> = {};
    for (const v of (await metrics.containers.get()).values) values[String(v.labels.state)] = v.value;
    expect(values).toEqual({ learning: 1, monitoring: 1, isolated: 0 });
  });
});
