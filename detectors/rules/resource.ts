// resource_anomaly: a container's CPU rate, memory, network rx/tx rate or pid count far above its
// own recent history (and above its workload's learned baseline, when there is one).
//
// Thresholds, and why:
//  * Score: the modified z-score 0.6745·(x − median)/MAD (Iglewicz & Hoaglin, 1993), robust to
//    the spikes it is looking for; 3.5 is their recommended outlier cut-off.
//  * MAD floors: an idle container's series is often flat (MAD 0), where any blip would score
//    infinity; the floors are the smallest spread worth measuring per metric.
//  * Minimum excess: a spike must also be large in absolute terms (¼ core, 64 MiB, 256 KiB/s,
//    10 pids) before a SOC cares, whatever its score.
//  * Minimum history: 12 samples (one minute at the default 5 s interval) before judging.
//  * Episodes: 2 consecutive anomalous samples open an episode and raise ONE alert (the first
//    sample after a change often covers only part of the interval); 3 consecutive calm samples
//    (score < 2) close it. Samples inside an episode do not enter the history, so a sustained burn
//    does not become the new normal while it lasts.
//  * Bursts: a sample ≥ BURST_FACTOR × the minimum excess above both references opens the episode
//    at once: a 64 MB upload inside one 5 s interval never gets a second anomalous sample. CPU
//    keeps the two-sample rule (a process start often fills part of one interval).
import { median, medianAbsoluteDeviation } from 'simple-statistics';
import type { ContainerRef, ShipwatchEvent, StatsSample } from '../../collector/events.ts';
import { RESOURCE_METRICS, phaseOf, type ResourceMetric } from '../baseline.ts';
import type { Detector, DetectorContext, StepResult } from '../context.ts';
import { who } from '../describe.ts';
import type { Finding } from '../../findings/index.ts';
import { rates, type PreviousSample } from '../resource-rates.ts';

export const THRESHOLD = 3.5;
export const CALM = 2;
export const MIN_HISTORY = 12;
export const HISTORY = 60;
export const OPEN_AFTER = 2;
export const CLOSE_AFTER = 3;
export const BURST_FACTOR = 10;
const MIB = 1024 * 1024;
export const MAD_FLOOR: Record<ResourceMetric, number> = {
  cpu: 0.02,
  memory: 4 * MIB,
  network_rx: 4096,
  network_tx: 4096,
  pids: 1,
};
export const MIN_EXCESS: Record<ResourceMetric, number> = {
  cpu: 0.25,
  memory: 64 * MIB,
  network_rx: 256 * 1024,
  network_tx: 256 * 1024,
  pids: 10,
};

interface MetricState {
  history: number[];
  over: number;
  calm: number;
  active: boolean;
}

interface ContainerState {
  previous?: PreviousSample;
  metrics: Record<ResourceMetric, MetricState>;
}

export type ResourceState = Map<string, ContainerState>;

export function score(value: number, center: number, mad: number, metric: ResourceMetric): number {
  if (value - center < MIN_EXCESS[metric]) return Math.min(0, value - center);
  return (0.6745 * (value - center)) / Math.max(mad, MAD_FLOOR[metric]);
}

function describe(metric: ResourceMetric, value: number): string {
  switch (metric) {
    case 'cpu':
      return `CPU ${value.toFixed(2)} cores`;
    case 'memory':
      return `memory ${(value / MIB).toFixed(0)} MiB`;
    case 'network_rx':
      return `network receive ${(value / 1024).toFixed(0)} KiB/s`;
    case 'network_tx':
      return `network transmit ${(value / 1024).toFixed(0)} KiB/s`;
    case 'pids':
      return `${value} processes`;
  }
}

function fresh(): ContainerState {
  const metrics = {} as Record<ResourceMetric, MetricState>;
  for (const m of RESOURCE_METRICS) metrics[m] = { history: [], over: 0, calm: 0, active: false };
  return { metrics };
}

function sample(
  state: ResourceState,
  container: ContainerRef,
  stats: StatsSample,
  at: number,
  intervalMs: number,
  ctx: DetectorContext,
): Finding[] {
  let c = state.get(container.id);
  if (!c) state.set(container.id, (c = fresh()));
  const r = rates(c.previous, stats, at, intervalMs);
  c.previous = { stats, at };
  if (!r) return [];
  const baseline = ctx.baseline(container.workload);
  const learned = baseline && phaseOf(baseline, ctx.now) === 'monitoring' ? baseline.resources : {};
  const findings: Finding[] = [];
  for (const metric of RESOURCE_METRICS) {
    const m = c.metrics[metric];
    const value = r[metric];
    if (m.history.length < MIN_HISTORY) {
      m.history.push(value);
      continue;
    }
    const center = median(m.history);
    const own = score(value, center, medianAbsoluteDeviation(m.history), metric);
    const reference = learned[metric];
    const vsWorkload = reference ? score(value, reference.median, reference.mad, metric) : Infinity;
    const z = Math.min(own, vsWorkload);
    if (z > THRESHOLD) {
      m.calm = 0;
      m.over += 1;
      const burst =
        metric !== 'cpu' && value - Math.max(center, reference?.median ?? center) >= BURST_FACTOR * MIN_EXCESS[metric];
      if (!m.active && (m.over >= OPEN_AFTER || burst)) {
        m.active = true;
        findings.push({
          rule: 'resource_anomaly',
          container,
          key: metric,
          summary: `${who(container)} is using ${describe(metric, value)}, far above its usual ${describe(metric, center)} (robust z-score ${own.toFixed(1)})`,
          details: { resource: { metric, value, baseline: center, score: Number(own.toFixed(2)) } },
          at,
        });
      }
      continue;
    }
    m.over = 0;
    if (m.active) {
      if (z < CALM) m.calm += 1;
      if (m.calm >= CLOSE_AFTER) m.active = false;
      if (m.active) continue;
    }
    m.history.push(value);
    if (m.history.length > HISTORY) m.history.shift();
  }
  return findings;
}

export const resourceDetector: Detector<ResourceState> = {
  name: 'resource',
  initialState: () => new Map(),
  step(state: ResourceState, event: ShipwatchEvent, ctx: DetectorContext): StepResult<ResourceState> {
    switch (event.kind) {
      case 'stats.sample':
        return { state, findings: sample(state, event.container, event.stats, event.at, event.intervalMs, ctx) };
      case 'container.removed':
        state.delete(event.container.id);
        return { state, findings: [] };
      case 'flow.start':
      case 'flow.update':
      case 'flow.end':
      case 'dns.answer':
      case 'container.created':
      case 'container.started':
      case 'container.stopped':
      case 'container.paused':
      case 'container.unpaused':
      case 'network.connected':
      case 'network.disconnected':
      case 'network.created':
      case 'network.removed':
      case 'exec.started':
      case 'process.exec':
      case 'process.exit':
      case 'file.changed':
      case 'daemon.posture':
        return { state, findings: [] };
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
      }
    }
  },
};
