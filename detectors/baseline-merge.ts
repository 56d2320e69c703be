// Two hosts' baselines of one workload as one (the fleet's shared baseline): what either learned
// is normal for both. Lists are unions, learned egress volumes the larger of the two (the first baseline's order kept, the second's additions
// appended, so merging the same inputs always gives the same result); resource statistics are
// combined weighted by their sample counts, an approximation of the pooled median and MAD that
// keeps no raw samples. Pure: the fleet bus calls it inside its compare-and-set loop.
import { RESOURCE_METRICS, sameEgress, sameInbound, samePeer, type WorkloadBaseline } from './baseline.ts';

function union<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): T[] {
  const out = [...a];
  for (const item of b) if (!out.some((kept) => same(kept, item))) out.push(item);
  return out;
}

export function mergeBaselines(a: WorkloadBaseline, b: WorkloadBaseline): WorkloadBaseline {
  const resources: WorkloadBaseline['resources'] = {};
  for (const metric of RESOURCE_METRICS) {
    const x = a.resources[metric];
    const y = b.resources[metric];
    if (!x || !y) {
      const only = x ?? y;
      if (only) resources[metric] = { ...only };
      continue;
    }
    const total = x.samples + y.samples;
    const weight = total === 0 ? 0.5 : x.samples / total;
    resources[metric] = {
      median: x.median * weight + y.median * (1 - weight),
      mad: x.mad * weight + y.mad * (1 - weight),
      samples: total,
    };
  }
  return {
    version: 1,
    workload: a.workload,
    mode: a.mode === 'learned' || b.mode === 'learned' ? 'learned' : 'policy',
    firstSeen: Math.min(a.firstSeen, b.firstSeen),
    learnUntil: Math.min(a.learnUntil, b.learnUntil),
    egress: union(a.egress, b.egress, sameEgress),
    peers: union(a.peers, b.peers, samePeer),
    inbound: union(a.inbound, b.inbound, sameInbound),
    executables: union(a.executables, b.executables, (x, y) => x === y),
    entrypointShells: union(a.entrypointShells, b.entrypointShells, (x, y) => x === y),
    pathPrefixes: union(a.pathPrefixes, b.pathPrefixes, (x, y) => x === y),
    resources,
    // The most either host sent in a window: normal for the workload wherever it runs.
    egressVolume: {
      perDestination: Math.max(a.egressVolume.perDestination, b.egressVolume.perDestination),
      total: Math.max(a.egressVolume.total, b.egressVolume.total),
    },
    resourceSamples: {},
  };
}
