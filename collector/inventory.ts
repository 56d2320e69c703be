// The in-memory inventory: containers and networks as Docker last described them, with the
// lookups attribution needs (address on a bridge → container, gateway → host). docker.ts keeps
// it current; everything else only reads it.
import type { ContainerRef } from './events.ts';
import type { ContainerInfo, NetworkInfo } from './inventory-types.ts';

export type Attribution = { kind: 'container'; container: ContainerInfo } | { kind: 'host' } | { kind: 'external' };

const refs = new WeakMap<ContainerInfo, ContainerRef>();

/**
 * The container's ref: one object per inventory record, shared by every event and flow that names
 * it (a flow table of 100 000 flows held one each: 5 MiB). Records are replaced, never changed, on
 * an update, so a ref never goes stale; nobody may change one either.
 */
export function refOf(info: ContainerInfo): ContainerRef {
  let ref = refs.get(info);
  if (!ref) {
    ref = { id: info.id, name: info.name, image: info.image, workload: info.workload };
    refs.set(info, ref);
  }
  return ref;
}

export class Inventory {
  readonly #containers = new Map<string, ContainerInfo>();
  readonly #networks = new Map<string, NetworkInfo>();
  /** "network name|ip" → container id. Rebuilt on every container change (tens of entries, rare). */
  #byAddress = new Map<string, string>();
  /** ip → container id on any network, for addresses seen off their own bridge (routed traffic). */
  #byAnyAddress = new Map<string, string>();

  containers(): ContainerInfo[] {
    return [...this.#containers.values()];
  }

  networks(): NetworkInfo[] {
    return [...this.#networks.values()];
  }

  /** By full id, unique id prefix (≥ 4 characters) or name (with or without a leading slash). */
  container(idOrName: string): ContainerInfo | undefined {
    const exact = this.#containers.get(idOrName);
    if (exact) return exact;
    const name = idOrName.replace(/^\//, '');
    const all = this.containers();
    const byName = all.find((c) => c.name === name);
    if (byName) return byName;
    if (idOrName.length < 4) return undefined;
    const byPrefix = all.filter((c) => c.id.startsWith(idOrName));
    return byPrefix.length === 1 ? byPrefix[0] : undefined;
  }

  network(idOrName: string): NetworkInfo | undefined {
    return this.#networks.get(idOrName) ?? this.networks().find((n) => n.name === idOrName);
  }

  networkByBridge(iface: string): NetworkInfo | undefined {
    return this.networks().find((n) => n.bridge === iface);
  }

  upsertContainer(info: ContainerInfo): ContainerInfo | undefined {
    const previous = this.#containers.get(info.id);
    this.#containers.set(info.id, info);
    this.#reindex();
    return previous;
  }

  removeContainer(id: string): ContainerInfo | undefined {
    const previous = this.#containers.get(id);
    if (previous) {
      this.#containers.delete(id);
      this.#reindex();
    }
    return previous;
  }

  upsertNetwork(info: NetworkInfo): NetworkInfo | undefined {
    const previous = this.#networks.get(info.id);
    this.#networks.set(info.id, info);
    return previous;
  }

  removeNetwork(id: string): NetworkInfo | undefined {
    const previous = this.#networks.get(id);
    this.#networks.delete(id);
    return previous;
  }

  /**
   * Who an address seen on a network's bridge is: a container's address on that network → that
   * container; the network's gateway → the host; an address of a container on *another* network
   * (traffic routed between bridges) → that container; anything else → external.
   */
  attribute(networkName: string, ip: string): Attribution {
    const local = this.#byAddress.get(`${networkName}|${ip}`);
    const id = local ?? this.#byAnyAddress.get(ip);
    const container = id ? this.#containers.get(id) : undefined;
    if (container) return { kind: 'container', container };
    const network = this.network(networkName);
    if (network?.gateways.includes(ip)) return { kind: 'host' };
    return { kind: 'external' };
  }

  #reindex(): void {
    const byAddress = new Map<string, string>();
    const byAny = new Map<string, string>();
    for (const c of this.#containers.values()) {
      if (c.state !== 'running' && c.state !== 'paused' && c.state !== 'restarting') continue;
      for (const n of c.networks) {
        for (const ip of [n.ipv4, n.ipv6]) {
          if (!ip) continue;
          byAddress.set(`${n.name}|${ip}`, c.id);
          byAny.set(ip, c.id);
        }
      }
    }
    this.#byAddress = byAddress;
    this.#byAnyAddress = byAny;
  }
}
