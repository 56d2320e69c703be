// Isolate and release: cut a container off every network it is on and park it on the internal
// quarantine network (it keeps running, for forensics), then put it back exactly as it was.
// Failures come back as values with a code the API maps to a status.
import type Docker from 'dockerode';
import { workloadOf } from '../collector/identity.ts';
import { QUARANTINE_NETWORK, ensureQuarantineNetwork } from './quarantine.ts';
import type { IsolationRecord, IsolationStore, SavedNetwork } from './isolation-store.ts';

/** A container id, id prefix or name as Docker allows them (names: [a-zA-Z0-9][a-zA-Z0-9_.-]*). */
const DOCKER_REF = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;

export type ResponseFailure = {
  ok: false;
  code: 'not_found' | 'host_network' | 'not_running' | 'not_isolated' | 'docker_error';
  message: string;
};
export type IsolateOutcome =
  { ok: true; changed: boolean; record: IsolationRecord; warnings: string[] } | ResponseFailure;

export interface IsolateRequest {
  actor: string;
  reason: string | null;
  alertId: string | null;
  pause: boolean;
}

/** Docker adds the container's short id as an alias on every user network by itself. */
function userAliases(aliases: unknown, containerId: string): string[] {
  if (!Array.isArray(aliases)) return [];
  return aliases.filter((a): a is string => typeof a === 'string' && a !== containerId.slice(0, 12));
}

export class Isolator {
  readonly #docker: Docker;
  readonly #store: IsolationStore;
  readonly #quarantine: string;
  /** Ids of isolated containers, mirrored from the store for synchronous state lookups. */
  readonly #isolatedIds = new Set<string>();

  constructor(docker: Docker, store: IsolationStore, quarantineNetwork = QUARANTINE_NETWORK) {
    this.#docker = docker;
    this.#store = store;
    this.#quarantine = quarantineNetwork;
  }

  get quarantineNetwork(): string {
    return this.#quarantine;
  }

  async #inspect(idOrName: string): Promise<Docker.ContainerInspectInfo | ResponseFailure> {
    // Only what Docker could call a container reaches its API: an id such as `..` makes dockerd
    // answer a redirect that the client follows to a host name, and dies of the error it emits.
    if (!DOCKER_REF.test(idOrName)) return { ok: false, code: 'not_found', message: `no container "${idOrName}"` };
    try {
      return await this.#docker.getContainer(idOrName).inspect();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) {
        return { ok: false, code: 'not_found', message: `no container "${idOrName}"` };
      }
      return { ok: false, code: 'docker_error', message: (error as Error).message };
    }
  }

  async isolate(idOrName: string, request: IsolateRequest): Promise<IsolateOutcome> {
    const inspect = await this.#inspect(idOrName);
    if ('ok' in inspect) return inspect;
    const id = inspect.Id;
    const name = inspect.Name.replace(/^\//, '');
    const existing = await this.#store.get(id);
    if (existing) {
      if (request.pause && !inspect.State.Paused) await this.#docker.getContainer(id).pause();
      if (request.pause && !existing.paused) await this.#store.put({ ...existing, paused: true });
      return {
        ok: true,
        changed: false,
        record: { ...existing, paused: existing.paused || request.pause },
        warnings: [],
      };
    }
    const mode = inspect.HostConfig.NetworkMode ?? '';
    if (mode === 'host' || mode.startsWith('container:')) {
      return {
        ok: false,
        code: 'host_network',
        message: `${name} uses network mode "${mode}", which cannot be disconnected; pause or stop it instead (docker pause ${name})`,
      };
    }
    if (!inspect.State.Running) {
      return { ok: false, code: 'not_running', message: `${name} is not running (state ${inspect.State.Status})` };
    }
    const networks: SavedNetwork[] = Object.entries(inspect.NetworkSettings.Networks ?? {})
      .filter(([networkName]) => networkName !== this.#quarantine)
      .map(([networkName, n]) => {
        const ipam = (n.IPAMConfig ?? {}) as { IPv4Address?: string; IPv6Address?: string };
        return {
          name: networkName,
          networkId: n.NetworkID,
          aliases: userAliases(n.Aliases, id),
          links: Array.isArray(n.Links) ? (n.Links as string[]) : [],
          ipamIpv4: ipam.IPv4Address || null,
          ipamIpv6: ipam.IPv6Address || null,
          ipv4: n.IPAddress || null,
          ipv6: n.GlobalIPv6Address || null,
        };
      });
    const record: IsolationRecord = {
      containerId: id,
      name,
      workload: workloadOf(inspect.Config.Labels ?? {}, inspect.Config.Image),
      networks,
      paused: request.pause,
      reason: request.reason,
      actor: request.actor,
      alertId: request.alertId,
      isolatedAt: new Date().toISOString(),
    };
    // The record is written before anything changes: whatever happens next, release knows the way back.
    await this.#store.put(record);
    this.#isolatedIds.add(id);
    try {
      await ensureQuarantineNetwork(this.#docker, this.#quarantine);
      // Quarantine first, then disconnect: the container is never left without any network endpoint.
      await this.#docker.getNetwork(this.#quarantine).connect({ Container: id });
      for (const network of networks)
        await this.#docker.getNetwork(network.networkId).disconnect({ Container: id, Force: true });
      if (request.pause && !inspect.State.Paused) await this.#docker.getContainer(id).pause();
    } catch (error) {
      return {
        ok: false,
        code: 'docker_error',
        message: `isolating ${name} failed part-way: ${(error as Error).message}; run release to restore`,
      };
    }
    return { ok: true, changed: true, record, warnings: [] };
  }

  async release(idOrName: string): Promise<IsolateOutcome> {
    const inspect = await this.#inspect(idOrName);
    if ('ok' in inspect) return inspect;
    const id = inspect.Id;
    const record = await this.#store.get(id);
    if (!record)
      return { ok: false, code: 'not_isolated', message: `${inspect.Name.replace(/^\//, '')} is not isolated` };
    const warnings: string[] = [];
    try {
      if (inspect.State.Paused) await this.#docker.getContainer(id).unpause();
      const attached = inspect.NetworkSettings.Networks ?? {};
      for (const network of record.networks) {
        if (attached[network.name]) continue; // a release interrupted earlier already restored this one
        await this.#reconnect(id, network, warnings);
      }
      if (attached[this.#quarantine])
        await this.#docker.getNetwork(this.#quarantine).disconnect({ Container: id, Force: true });
    } catch (error) {
      return {
        ok: false,
        code: 'docker_error',
        message: `releasing ${record.name} failed part-way: ${(error as Error).message}; run release again`,
      };
    }
    const after = await this.#docker.getContainer(id).inspect();
    for (const network of record.networks) {
      const now = after.NetworkSettings.Networks?.[network.name];
      if (network.ipv4 && now?.IPAddress && now.IPAddress !== network.ipv4) {
        warnings.push(
          `${network.name}: address changed from ${network.ipv4} to ${now.IPAddress} (it was taken meanwhile)`,
        );
      }
    }
    await this.#store.delete(id);
    this.#isolatedIds.delete(id);
    return { ok: true, changed: true, record, warnings };
  }

  async #reconnect(id: string, network: SavedNetwork, warnings: string[]): Promise<void> {
    const endpoint = (ipamIpv4: string | null, ipamIpv6: string | null): Docker.EndpointSettings => ({
      Aliases: network.aliases,
      Links: network.links,
      ...(ipamIpv4 || ipamIpv6
        ? {
            IPAMConfig: {
              ...(ipamIpv4 ? { IPv4Address: ipamIpv4 } : {}),
              ...(ipamIpv6 ? { IPv6Address: ipamIpv6 } : {}),
            },
          }
        : {}),
    });
    const dockerNetwork = this.#docker.getNetwork(network.networkId);
    // Pin the old address too: Docker accepts that only on networks with a user-configured
    // subnet, and refuses it otherwise, so fall back to what the user had pinned (or nothing),
    // which on a pool-allocated network gets the lowest free address (the old one unless taken).
    try {
      await dockerNetwork.connect({
        Container: id,
        EndpointConfig: endpoint(network.ipamIpv4 ?? network.ipv4, network.ipamIpv6 ?? network.ipv6),
      });
    } catch (error) {
      if (!/user specified IP address|user configured subnets/i.test((error as Error).message)) {
        if ((error as { statusCode?: number }).statusCode === 404) {
          warnings.push(`${network.name}: network no longer exists, not restored`);
          return;
        }
        throw error;
      }
      await dockerNetwork.connect({ Container: id, EndpointConfig: endpoint(network.ipamIpv4, network.ipamIpv6) });
    }
  }

  /** Loads the isolations that survived an agent restart. */
  async load(): Promise<IsolationRecord[]> {
    const records = await this.#store.all();
    for (const r of records) this.#isolatedIds.add(r.containerId);
    return records;
  }

  isIsolated(containerId: string): boolean {
    return this.#isolatedIds.has(containerId);
  }

  async pause(idOrName: string): Promise<{ ok: true; id: string; name: string; changed: boolean } | ResponseFailure> {
    const inspect = await this.#inspect(idOrName);
    if ('ok' in inspect) return inspect;
    const name = inspect.Name.replace(/^\//, '');
    if (!inspect.State.Running) return { ok: false, code: 'not_running', message: `${name} is not running` };
    if (inspect.State.Paused) return { ok: true, id: inspect.Id, name, changed: false };
    await this.#docker.getContainer(inspect.Id).pause();
    return { ok: true, id: inspect.Id, name, changed: true };
  }
}
