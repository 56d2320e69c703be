// Where a container-to-container flow runs: on one shared Docker network (normal), or routed
// between bridges, which Docker's DOCKER-ISOLATION chains forbid unless someone opened the
// firewall (DOCKER-USER ACCEPT, a host route): a misconfiguration the SOC wants to see.
import type { FlowRecord } from '../collector/events.ts';
import { zonesAllowed, type DetectorContext } from './context.ts';

export interface Segment {
  /** The flow crossed networks: seen on several bridges, or the two containers share none. */
  crossing: boolean;
  networks: string[];
  zones: [string, string];
  /** The zone policy (same zone, or a configured pair) allows the two sides to talk. */
  allowed: boolean;
}

export function segmentOf(flow: FlowRecord, ctx: DetectorContext): Segment | null {
  const src = flow.src.container;
  const dst = flow.dst.container;
  if (flow.src.kind !== 'container' || flow.dst.kind !== 'container' || !src || !dst) return null;
  const srcNets = ctx.networksOf(src.id) ?? [flow.network];
  if (dst.host !== undefined) {
    // A port another host of the fleet publishes: the flow left this host, so it crosses; the
    // far zone is the one that host gave its container's network.
    const srcNet = srcNets.includes(flow.network) ? flow.network : (srcNets[0] ?? flow.network);
    const zones: [string, string] = [ctx.zoneOf(srcNet), dst.zone ?? dst.host];
    const networks = [srcNet];
    return { crossing: true, networks, zones, allowed: zonesAllowed(ctx.config, zones[0], zones[1]) };
  }
  const dstNets = ctx.networksOf(dst.id) ?? [];
  const shared = srcNets.filter((n) => dstNets.includes(n));
  const crossing = flow.networks.length > 1 || (dstNets.length > 0 && shared.length === 0);
  const srcNet = srcNets.includes(flow.network) ? flow.network : (srcNets[0] ?? flow.network);
  const otherBridge = flow.networks.find((n) => n !== srcNet);
  const dstNet = otherBridge ?? (shared.includes(srcNet) ? srcNet : (dstNets[0] ?? flow.network));
  const zones: [string, string] = [ctx.zoneOf(srcNet), ctx.zoneOf(dstNet)];
  const networks = [...new Set([...flow.networks, srcNet, dstNet])];
  return { crossing, networks, zones, allowed: zonesAllowed(ctx.config, zones[0], zones[1]) };
}
