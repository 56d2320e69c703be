// Who an address seen on a bridge is, for the flow table: from the live inventory, or — for an
// offline capture without a daemon — from configured CIDRs (config `pcap_networks`).
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { ContainerRef, Protocol } from '../events.ts';
import { refOf, type Inventory } from '../inventory.ts';
import { BoundedMap } from '../../core/bounded-map.ts';
import { parseIpv4, prefixMask } from './ipv4-number.ts';
import { interfaceAddresses } from '../net-interfaces.ts';

export interface Attributed {
  kind: 'container' | 'host' | 'external';
  container: ContainerRef | null;
  /** The container has an address on this very network (false: it lives on another bridge). */
  local: boolean;
}

export interface Attributor {
  attribute(network: string, ip: string): Attributed;
  /**
   * Who serves `ip:port` when the address names nobody here: a port another host of the fleet
   * publishes (its container's ref carries `host`). Absent or null: the address stays external.
   */
  service?(ip: string, port: number, protocol: Protocol): Attributed | null;
}

/** A published port of another host's container, from the fleet (agent/fleet-wiring.ts). */
export type RemoteServices = (ip: string, port: number, protocol: Protocol) => ContainerRef | null;

const EXTERNAL: Attributed = { kind: 'external', container: null, local: false };
const HOST: Attributed = { kind: 'host', container: null, local: true };

/**
 * `hostAddresses(bridge)`: the host's own addresses on a bridge. Besides the gateway, the bridge
 * has an IPv6 link-local address it sends neighbour discovery and multicast reports from; that is
 * the host too, not something external.
 */
export function inventoryAttributor(
  inventory: Inventory,
  hostAddresses: (bridge: string) => ReadonlySet<string> = interfaceAddresses,
  remote: RemoteServices | null = null,
): Attributor {
  return {
    service(ip, port, protocol) {
      const container = remote?.(ip, port, protocol) ?? null;
      return container ? { kind: 'container', container, local: false } : null;
    },
    attribute(network, ip) {
      const found = inventory.attribute(network, ip);
      if (found.kind === 'host') return HOST;
      if (found.kind === 'external') {
        const bridge = ip.startsWith('fe80:') ? inventory.network(network)?.bridge : null;
        return bridge && hostAddresses(bridge).has(ip) ? HOST : EXTERNAL;
      }
      const local = found.container.networks.some((n) => n.name === network);
      return { kind: 'container', container: refOf(found.container), local };
    },
  };
}

interface CidrNetwork {
  name: string;
  block: BlockList;
  gateway: string;
  /** An IPv4 subnet as numbers (base & mask), checked without the BlockList; null for IPv6. */
  v4: { base: number; mask: number } | null;
}

/**
 * Attribution by `pcap_networks` (network name → CIDR): the first host address of each CIDR is its
 * gateway (`host`, as Docker assigns it), any other address inside is a container that we only
 * know by address — its ref carries the address as name and the network as workload.
 */
/** Container refs of a capture's addresses kept by CidrAttributor (an address is a few dozen bytes). */
const MAX_CIDR_REFS = 65_536;

export class CidrAttributor implements Attributor {
  readonly #networks: CidrNetwork[] = [];
  /** ip → its ref: one per address, as refOf gives one per container, not a copy per flow. */
  readonly #refs = new BoundedMap<string, ContainerRef>(MAX_CIDR_REFS);

  constructor(networks: Readonly<Record<string, string>>) {
    for (const [name, cidr] of Object.entries(networks)) {
      const [address, bits] = cidr.split('/');
      const prefix = Number(bits);
      if (!address || !Number.isInteger(prefix)) continue;
      const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
      if (!family) continue;
      const block = new BlockList();
      block.addSubnet(address, prefix, family);
      const mask = prefixMask(prefix);
      const v4 = family === 'ipv4' ? { base: (parseIpv4(address) & mask) >>> 0, mask } : null;
      this.#networks.push({ name, block, gateway: firstHost(address, family), v4 });
    }
  }

  /** The configured network holding this address, if any. */
  networkOf(ip: string): string | null {
    return this.#home(ip)?.name ?? null;
  }

  attribute(network: string, ip: string): Attributed {
    const home = this.#home(ip);
    if (!home) return EXTERNAL;
    if (home.gateway === ip) return home.name === network ? HOST : EXTERNAL;
    let container = this.#refs.get(ip);
    if (!container) {
      container = { id: `pcap:${ip}`, name: ip, image: '', workload: home.name };
      this.#refs.set(ip, container);
    }
    return { kind: 'container', container, local: home.name === network };
  }

  /** The first configured network holding `ip`, in configuration order. */
  #home(ip: string): CidrNetwork | undefined {
    const n = parseIpv4(ip);
    if (n < 0) return this.#networks.find((net) => net.block.check(ip, 'ipv6'));
    // An IPv6 subnet can hold an IPv4 address (v4-mapped): that case stays with the BlockList.
    return this.#networks.find((net) =>
      net.v4 ? (n & net.v4.mask) >>> 0 === net.v4.base : net.block.check(ip, 'ipv4'),
    );
  }
}

function firstHost(address: string, family: 'ipv4' | 'ipv6'): string {
  if (family === 'ipv4') {
    const parts = address.split('.').map(Number);
    parts[3] = (parts[3] ?? 0) | 1;
    return parts.join('.');
  }
  return address.endsWith('::') ? `${address}1` : address;
}
