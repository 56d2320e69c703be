// Flow counters as Prometheus sees them: bytes and packets by source and destination workload
// (`external`, `host` or the workload — never an address or a port, which would explode the
// series count), network and protocol; flows in the table by network.
import type { Metrics } from '../alerts/metrics.ts';
import type { Endpoint } from '../collector/events.ts';
import type { FlowTable } from '../collector/flows/index.ts';

export function workloadLabel(endpoint: Endpoint): string {
  if (endpoint.kind === 'container') return endpoint.container?.workload ?? 'unknown';
  return endpoint.kind;
}

const seenNetworks = new WeakMap<Metrics, Set<string>>();

/**
 * Moves the table's counts since the last call into the metrics. Summed per series first: a flood
 * of new flows leaves 100 000 flows to drain into a handful of series, and an inc() (which hashes
 * its labels) per flow took 100 ms of the event loop every second. Even summed, reading 100 000
 * flows scattered in memory takes 20–40 ms: with `stop`, the drain ends when the caller's turn
 * does and returns false (what it drained is counted); call again for the rest.
 */
export function recordFlowMetrics(metrics: Metrics, flows: FlowTable, stop?: () => boolean): boolean {
  const series = new Map<string, { labels: Record<string, string>; bytes: number; packets: number }>();
  const drained = flows.drain((flow, bytes, packets) => {
    const labels = {
      src_workload: workloadLabel(flow.src),
      dst_workload: workloadLabel(flow.dst),
      network: flow.network,
      protocol: flow.protocol,
    };
    const key = `${labels.src_workload}\0${labels.dst_workload}\0${labels.network}\0${labels.protocol}`;
    const sum = series.get(key);
    if (sum) {
      sum.bytes += bytes;
      sum.packets += packets;
    } else series.set(key, { labels, bytes, packets });
  }, stop);
  for (const { labels, bytes, packets } of series.values()) {
    metrics.flowBytes.inc(labels, bytes);
    metrics.flowPackets.inc(labels, packets);
  }
  if (!drained) return false;
  const known = seenNetworks.get(metrics) ?? new Set<string>();
  seenNetworks.set(metrics, known);
  // Active flows by the network they were first seen on.
  const active = flows.activeByNetwork();
  // Networks whose last flow ended go to 0 rather than keeping their last value.
  for (const network of known) if (!active.has(network)) metrics.flowsActive.set({ network }, 0);
  for (const [network, count] of active) {
    known.add(network);
    metrics.flowsActive.set({ network }, count);
  }
  return true;
}
