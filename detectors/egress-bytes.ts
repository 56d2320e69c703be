// Bytes a container sent to external destinations, over a sliding window: what egress_volume judges
// and what the learner remembers as the workload's normal. Flow events carry running totals; the
// difference to the last total seen for that flow is what was sent since. Both the learner and the
// detector keep one of these (they must not share state), bounded in flows and samples.
import type { ContainerRef, FlowRecord, ShipwatchEvent } from '../collector/events.ts';
import { oriented } from './flow-orientation.ts';

/** The volume rule's window: a 64 MB upload in one second must stand out within it. */
export const VOLUME_WINDOW_MS = 10_000;
/** Flows followed at once; past this the oldest is forgotten (its next update counts from zero). */
const MAX_FLOWS = 50_000;
/** Samples kept per container in the window; older ones are merged away first. */
const MAX_SAMPLES = 512;

interface Sample {
  at: number;
  dst: string;
  bytes: number;
}

export interface EgressBytes {
  /** flow id → bytes sent as of its last event. */
  flows: Map<string, number>;
  /** container id → what it sent, oldest first. */
  sent: Map<string, Sample[]>;
}

export interface EgressWindow {
  container: ContainerRef;
  flow: FlowRecord;
  /** Bytes sent to this flow's destination (by address) within the window. */
  toDestination: number;
  /** Bytes sent to every external destination within the window. */
  total: number;
}

export function newEgressBytes(): EgressBytes {
  return { flows: new Map(), sent: new Map() };
}

/** Accounts a flow event; returns the container's window sums when it sent something external. */
export function accountEgress(state: EgressBytes, event: ShipwatchEvent): EgressWindow | null {
  if (event.kind === 'container.removed') state.sent.delete(event.container.id);
  if (event.kind !== 'flow.start' && event.kind !== 'flow.update' && event.kind !== 'flow.end') return null;
  const flow = oriented(event.flow);
  const container = flow.src.container;
  if (flow.src.kind !== 'container' || !container || flow.dst.kind !== 'external') return null;
  const before = state.flows.get(flow.id) ?? 0;
  const delta = flow.bytesOut - before;
  if (event.kind === 'flow.end') state.flows.delete(flow.id);
  else {
    state.flows.set(flow.id, flow.bytesOut);
    if (state.flows.size > MAX_FLOWS) {
      const oldest = state.flows.keys().next().value;
      if (oldest !== undefined) state.flows.delete(oldest);
    }
  }
  if (delta <= 0) return null;
  let samples = state.sent.get(container.id);
  if (!samples) state.sent.set(container.id, (samples = []));
  samples.push({ at: event.at, dst: flow.dst.ip, bytes: delta });
  const from = event.at - VOLUME_WINDOW_MS;
  while (samples.length > 0 && ((samples[0]?.at ?? 0) < from || samples.length > MAX_SAMPLES)) samples.shift();
  let toDestination = 0;
  let total = 0;
  for (const s of samples) {
    total += s.bytes;
    if (s.dst === flow.dst.ip) toDestination += s.bytes;
  }
  return { container, flow, toDestination, total };
}
