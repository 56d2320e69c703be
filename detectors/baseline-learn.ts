// The learner: a reducer over events that keeps every workload's baseline current. While a
// workload learns, what it does is added; when its window ends, raw resource samples are folded
// into median/MAD and the lists stop growing. Detectors only read baselines, through the context.
import { median, medianAbsoluteDeviation } from 'simple-statistics';
import { isFlowBeginning, type FlowRecord, type ShipwatchEvent } from '../collector/events.ts';
import {
  RESOURCE_METRICS,
  inboundKnown,
  newBaseline,
  phaseOf,
  sameEgress,
  samePeer,
  type EgressEntry,
  type PeerEntry,
  type WorkloadBaseline,
} from './baseline.ts';
import { accountEgress, newEgressBytes, type EgressBytes } from './egress-bytes.ts';
import { oriented } from './flow-orientation.ts';
import { isInboundConnection } from './inbound.ts';
import { addPath } from './path-prefixes.ts';
import { isInitChild, isShell, programName } from './process-classify.ts';
import { rates, type PreviousSample } from './resource-rates.ts';

/** Raw samples kept per metric while learning: 10 minutes at 5 s is 120; room for longer windows. */
export const MAX_LEARN_SAMPLES = 720;

export interface LearnerState {
  baselines: Map<string, WorkloadBaseline>;
  /** Previous stats sample per container (transient: rebuilt after a restart). */
  lastStats: Map<string, PreviousSample>;
  /** Bytes sent per container over the volume window (transient). */
  egress: EgressBytes;
}

export function initialLearnerState(baselines: Iterable<WorkloadBaseline> = []): LearnerState {
  return {
    baselines: new Map([...baselines].map((b) => [b.workload, b])),
    lastStats: new Map(),
    egress: newEgressBytes(),
  };
}

function workloadOf(event: ShipwatchEvent): string | null {
  if ('container' in event && event.container) return event.container.workload;
  if ('flow' in event) return oriented(event.flow).src.container?.workload ?? null;
  return null;
}

/**
 * Every workload an event concerns (both ends of a container-to-container flow). A peer on another
 * host of the fleet is that host's to learn: this host never saw its learning window.
 */
export function workloadsOf(event: ShipwatchEvent): string[] {
  const own = workloadOf(event);
  const dst = 'flow' in event ? oriented(event.flow).dst.container : null;
  const peer = dst && dst.host === undefined ? dst.workload : null;
  return [...new Set([own, peer].filter((w): w is string => w !== null))];
}

/** A workload's baseline, created (and its learning window started) at its first event. */
export function ensureBaseline(state: LearnerState, workload: string, now: number, learnMs: number): WorkloadBaseline {
  let baseline = state.baselines.get(workload);
  if (!baseline) {
    baseline = newBaseline(workload, now, learnMs);
    state.baselines.set(workload, baseline);
  }
  return baseline;
}

/** Folds raw samples into median/MAD once the window has ended (idempotent). */
export function finishLearning(baseline: WorkloadBaseline): void {
  for (const metric of RESOURCE_METRICS) {
    const samples = baseline.resourceSamples[metric];
    if (!samples || samples.length === 0) continue;
    baseline.resources[metric] = {
      median: median(samples),
      mad: medianAbsoluteDeviation(samples),
      samples: samples.length,
    };
  }
  baseline.resourceSamples = {};
}

function addEgress(b: WorkloadBaseline, entry: EgressEntry): void {
  if (!b.egress.some((e) => sameEgress(e, entry))) b.egress.push(entry);
}

function addPeer(b: WorkloadBaseline, entry: PeerEntry): void {
  if (!b.peers.some((p) => samePeer(p, entry))) b.peers.push(entry);
}

function addUnique(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}

/** Ensures a baseline exists for every workload an event names; learns from the event. */
export function learnStep(state: LearnerState, event: ShipwatchEvent, now: number, learnMs: number): LearnerState {
  if (event.kind === 'container.removed') {
    state.lastStats.delete(event.container.id);
    state.egress.sent.delete(event.container.id);
  }
  // Before the source's workload: a flow from outside has none, and its receiver learns from it.
  if (isFlowBeginning(event)) learnInbound(state, oriented(event.flow), now, learnMs);
  const workload = workloadOf(event);
  if (workload === null) return state;
  const baseline = ensureBaseline(state, workload, now, learnMs);
  const learning = phaseOf(baseline, now) === 'learning';
  if (!learning && Object.keys(baseline.resourceSamples).length > 0) finishLearning(baseline);
  if (event.kind === 'stats.sample') {
    const previous = state.lastStats.get(event.container.id);
    state.lastStats.set(event.container.id, { stats: event.stats, at: event.at });
    const r = learning ? rates(previous, event.stats, event.at, event.intervalMs) : null;
    if (r) {
      for (const metric of RESOURCE_METRICS) {
        const samples = (baseline.resourceSamples[metric] ??= []);
        samples.push(r[metric]);
        if (samples.length > MAX_LEARN_SAMPLES) samples.shift();
      }
    }
    return state;
  }
  if (!learning) return state;
  learnVolume(state, baseline, event);
  learnFrom(baseline, event);
  return state;
}

/** The largest window of bytes sent while learning, per destination and in total. */
function learnVolume(state: LearnerState, baseline: WorkloadBaseline, event: ShipwatchEvent): void {
  const sent = accountEgress(state.egress, event);
  if (!sent) return;
  const volume = baseline.egressVolume;
  volume.perDestination = Math.max(volume.perDestination, sent.toDestination);
  volume.total = Math.max(volume.total, sent.total);
}

/** The receiving workload learns its inbound peers, and the ports it serves outside, on its own clock. */
function learnInbound(state: LearnerState, flow: FlowRecord, now: number, learnMs: number): void {
  const { src, dst, protocol } = flow;
  if (!dst.container || dst.container.host !== undefined) return;
  if (src.kind === 'external' ? !isInboundConnection(flow) : !src.container) return;
  const other = ensureBaseline(state, dst.container.workload, now, learnMs);
  if (phaseOf(other, now) !== 'learning') return;
  if (src.container) addPeer(other, { workload: src.container.workload, port: dst.port, protocol, direction: 'in' });
  else if (!inboundKnown(other, { port: dst.port, protocol })) other.inbound.push({ port: dst.port, protocol });
}

/** What a flow's source learns from how it began: an egress destination or an outbound peer. */
function learnOutbound(baseline: WorkloadBaseline, flow: FlowRecord): void {
  const { src, dst, protocol } = oriented(flow);
  if (src.kind !== 'container' || !src.container) return;
  if (dst.kind === 'external') addEgress(baseline, { ip: dst.ip, name: dst.name, port: dst.port, protocol });
  if (dst.kind === 'container' && dst.container) {
    addPeer(baseline, { workload: dst.container.workload, port: dst.port, protocol, direction: 'out' });
  }
}

function learnFrom(baseline: WorkloadBaseline, event: ShipwatchEvent): void {
  if (isFlowBeginning(event)) return learnOutbound(baseline, event.flow);
  switch (event.kind) {
    case 'process.exec':
      // An exec whose executable could not be read teaches nothing.
      if (programName(event.process) === '') return;
      addUnique(baseline.executables, programName(event.process));
      if (isShell(event.process) && event.process.execId === null && isInitChild(event.process)) {
        addUnique(baseline.entrypointShells, programName(event.process));
      }
      return;
    case 'file.changed':
      if (event.op !== 'delete') baseline.pathPrefixes = addPath(baseline.pathPrefixes, event.path);
      return;
    default:
      return;
  }
}
