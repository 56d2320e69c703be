// Whose DNS answers may name an address for a container (collector/packets/dns-trust.ts checks
// the query/answer match; this says which servers count): the resolvers it is configured with
// (--dns, its resolv.conf), the daemon's upstreams its embedded DNS forwards to (config
// dns_resolvers, else the host's resolv.conf, as dockerd does), and resolvers its workload used
// while learning. A nameserver the container picked itself (`nslookup name 203.0.113.66`) is none
// of these, so its answers rename nothing.
import { readFileSync } from 'node:fs';
import type { ContainerRef } from '../collector/events.ts';
import type { Inventory } from '../collector/inventory.ts';
import { nameservers } from '../collector/docker/index.ts';
import type { WorkloadBaseline } from '../detectors/index.ts';

function hostResolvers(): string[] {
  try {
    return nameservers(readFileSync('/etc/resolv.conf', 'utf8')).filter((ip) => !ip.startsWith('127.') && ip !== '::1');
  } catch {
    return [];
  }
}

export function resolverTrust(
  configured: readonly string[] | null,
  inventory: Inventory,
  baselineOf: (workload: string) => WorkloadBaseline | null,
): (client: ContainerRef, server: string) => boolean {
  const upstreams = new Set(configured ?? hostResolvers());
  return (client, server) => {
    if (upstreams.has(server)) return true;
    if (inventory.container(client.id)?.resolvers?.includes(server)) return true;
    const learned = baselineOf(client.workload);
    return learned?.mode === 'learned' && learned.egress.some((e) => e.ip === server && e.port === 53);
  };
}
