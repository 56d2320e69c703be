// GET /api/containers and /api/containers/{id or name}: the inventory as users see it (workload,
// networks with zones, Docker's state and shipwatch's state). Whether a container is learning, monitoring or isolated is not decided here: the caller
// passes stateOf (baselines and the response module own those facts).
import type { Inventory } from '../../collector/inventory.ts';
import type { ContainerInfo } from '../../collector/inventory-types.ts';
import { notFound } from '../../core/http-errors.ts';
import type { HttpServer } from '../server.ts';

export type ContainerState = 'learning' | 'monitoring' | 'isolated';
export type StateOf = (container: ContainerInfo) => ContainerState;

export const CONTAINER_STATES: readonly ContainerState[] = ['learning', 'monitoring', 'isolated'];

export interface ContainerView {
  id: string;
  name: string;
  image: string;
  workload: string;
  labels: Record<string, string>;
  /** Docker's view: created, running, paused, restarting, exited, dead, removing. */
  dockerState: ContainerInfo['state'];
  state: ContainerState;
  pid: number;
  startedAt: string | null;
  createdAt: string | null;
  zones: string[];
  networks: {
    name: string;
    ipv4: string | null;
    ipv6: string | null;
    mac: string | null;
    aliases: string[];
    zone: string;
  }[];
}

/** A container network's zone: its network's (label or config), else the network's name. */
export function networkZone(inventory: Inventory, n: { networkId: string; name: string }): string {
  return (inventory.network(n.networkId) ?? inventory.network(n.name))?.zone ?? n.name;
}

const iso = (ms: number) => (ms > 0 ? new Date(ms).toISOString() : null);

export function containerView(info: ContainerInfo, inventory: Inventory, stateOf: StateOf): ContainerView {
  const networks = info.networks.map((n) => ({
    name: n.name,
    ipv4: n.ipv4,
    ipv6: n.ipv6,
    mac: n.mac,
    aliases: n.aliases,
    zone: networkZone(inventory, n),
  }));
  return {
    id: info.id,
    name: info.name,
    image: info.image,
    workload: info.workload,
    labels: info.labels,
    dockerState: info.state,
    state: stateOf(info),
    pid: info.pid,
    startedAt: iso(info.startedAt),
    createdAt: iso(info.createdAt),
    zones: [...new Set(networks.map((n) => n.zone))],
    networks,
  };
}

export function registerContainerRoutes(server: HttpServer, inventory: Inventory, stateOf: StateOf): void {
  server.route({
    method: 'GET',
    path: '/api/containers',
    handler: () => ({
      json: inventory
        .containers()
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((info) => containerView(info, inventory, stateOf)),
    }),
  });
  server.route({
    method: 'GET',
    path: '/api/containers/:id',
    handler: ({ params }) => {
      const key = params.id ?? '';
      const info = inventory.container(key);
      if (!info) throw notFound(`no container with id or name "${key}"`);
      return { json: containerView(info, inventory, stateOf) };
    },
  });
}
