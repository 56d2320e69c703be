// The ports this host's running containers publish, as the other agents need them to name a flow
// that reaches one (fleet/service-directory.ts): each address it is reached at, with the
// container and the zone of its network. A port published on every interface ("", 0.0.0.0, ::)
// is listed at each of the host's addresses: `fleet.addresses`, else every address of the
// host's own interfaces (not loopback, link-local, Docker's bridges or veths).
import { networkInterfaces } from 'node:os';
import type { Inventory } from '../collector/inventory.ts';
import { MAX_SERVICES_PER_HOST, type PublishedService } from '../fleet/index.ts';
import { networkZone } from './routes/containers.ts';

const ANY = new Set(['', '0.0.0.0', '::']);

export function publishedServices(inventory: Inventory, addresses: readonly string[]): PublishedService[] {
  const services = new Map<string, PublishedService>();
  for (const info of inventory.containers()) {
    if (info.state !== 'running') continue;
    const first = info.networks[0];
    const zone = first ? networkZone(inventory, first) : info.name;
    for (const { hostIp, hostPort, containerPort } of info.security.ports) {
      const protocol = containerPort.endsWith('/udp') ? 'udp' : containerPort.endsWith('/tcp') ? 'tcp' : null;
      if (!protocol || !(hostPort > 0)) continue;
      for (const ip of ANY.has(hostIp) ? addresses : [hostIp]) {
        const service = { ip, port: hostPort, protocol, id: info.id, name: info.name, image: info.image } as const;
        services.set(`${ip}|${hostPort}|${protocol}`, { ...service, workload: info.workload, zone });
      }
    }
  }
  return [...services.values()].slice(0, MAX_SERVICES_PER_HOST);
}

/** The host's own addresses, as other hosts reach it: not loopback, link-local, Docker's bridges or veths. */
export function hostAddresses(inventory: Inventory): string[] {
  const bridges = new Set(inventory.networks().map((n) => n.bridge));
  return Object.entries(networkInterfaces()).flatMap(([name, list]) =>
    bridges.has(name) || name === 'docker0' || name.startsWith('br-') || name.startsWith('veth')
      ? []
      : (list ?? []).filter((a) => !a.internal && !a.address.startsWith('fe80:')).map((a) => a.address),
  );
}
