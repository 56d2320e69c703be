// GET /api/map?window=15m: the live page's network map. Nodes are workloads (with their
// containers, networks, zones and state); edges are FlowMap's aggregates over the window, so the
// map shows who talked to whom even when no flow is open at this instant.
import type { Inventory } from '../../collector/inventory.ts';
import { parseDuration } from '../../core/duration.ts';
import { badRequest } from '../../core/http-errors.ts';
import { MAX_WINDOW_MINUTES, type FlowMap } from '../flow-map.ts';
import type { HttpServer } from '../server.ts';
import { networkZone, type ContainerState, type StateOf } from './containers.ts';

const DEFAULT_WINDOW_MINUTES = 15;

export interface MapNode {
  id: string;
  workload: string;
  /** isolated when any container is, else learning when any is, else monitoring. */
  state: ContainerState;
  containers: { id: string; name: string; state: ContainerState }[];
  networks: { name: string; zone: string }[];
}

const STATE_ORDER: ContainerState[] = ['isolated', 'learning', 'monitoring'];

export function mapNodes(inventory: Inventory, stateOf: StateOf): MapNode[] {
  const nodes = new Map<string, MapNode>();
  for (const info of inventory.containers()) {
    if (info.state !== 'running' && info.state !== 'paused') continue;
    const id = `w:${info.workload}`;
    const node = nodes.get(id) ?? { id, workload: info.workload, state: 'monitoring', containers: [], networks: [] };
    const state = stateOf(info);
    node.containers.push({ id: info.id, name: info.name, state });
    if (STATE_ORDER.indexOf(state) < STATE_ORDER.indexOf(node.state)) node.state = state;
    for (const n of info.networks) {
      if (node.networks.some((known) => known.name === n.name)) continue;
      const zone = networkZone(inventory, n);
      node.networks.push({ name: n.name, zone });
    }
    nodes.set(id, node);
  }
  return [...nodes.values()].sort((a, b) => a.id.localeCompare(b.id));
}

function windowMinutes(value: string | null): number {
  if (value === null || value === '') return DEFAULT_WINDOW_MINUTES;
  const ms = parseDuration(value);
  if (ms === null || ms < 60_000 || ms > MAX_WINDOW_MINUTES * 60_000) {
    throw badRequest(`window: expected a duration from 1m to ${MAX_WINDOW_MINUTES}m, got "${value}"`);
  }
  return Math.round(ms / 60_000);
}

export function registerMapRoutes(server: HttpServer, map: FlowMap, inventory: Inventory, stateOf: StateOf): void {
  server.route({
    method: 'GET',
    path: '/api/map',
    handler: ({ query }) => {
      const minutes = windowMinutes(query.get('window'));
      return { json: { windowMinutes: minutes, nodes: mapNodes(inventory, stateOf), edges: map.edges(minutes) } };
    },
  });
}
