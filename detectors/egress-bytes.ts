// Bytes a container sent to external destinations, over a sliding window: what egress_volume judges
// and what the learner remembers as the workload's normal. Flow events carry running totals; the
// difference to the last total seen for that flow is what was sent since. Both the learner and the
// detector keep one of these (they must not share state), bounded in flows and samples.
import type { ContainerRef, FlowRecord, ShipwatchEvent } from '../collector/events.ts';
import { BoundedMap } from '../core/bounded-map.ts';
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

/**
 * One container's samples in the window, oldest first from `head`, with their sums kept as they
 * come and go: summing the window per event was up to 512 samples a flow event (and `shift()`
 * moved the array each time), ~6 µs a flow for a container busy with external flows.
 */
interface SentWindow {
  samples: Sample[];
  head: number;
  total: number;
  /** Bytes in the window by destination address. */
  byDestination: Map<string, number>;
}

export interface EgressBytes {
  /** flow id → bytes sent as of its last event. */
  flows: BoundedMap<string, number>;
  /** container id → what it sent. */
  sent: Map<string, SentWindow>;
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
  return { flows: new BoundedMap<string, number>(MAX_FLOWS), sent: new Map() };
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
    // At the bound the least recently updated flow goes. A Map's delete-the-first walked the holes
    // its deletes leave: ~18 µs a flow event at 50 000 open flows (core/bounded-map.ts).
    state.flows.set(flow.id, flow.bytesOut);
  }
  if (delta <= 0) return null;
  let sent = state.sent.get(container.id);
  if (!sent) state.sent.set(container.id, (sent = { samples: [], head: 0, total: 0, byDestination: new Map() }));
  add(sent, { at: event.at, dst: flow.dst.ip, bytes: delta });
  const from = event.at - VOLUME_WINDOW_MS;
  while (sent.head < sent.samples.length) {
    const oldest = sent.samples[sent.head]!;
    if (oldest.at >= from && sent.samples.length - sent.head <= MAX_SAMPLES) break;
    drop(sent, oldest);
  }
  return { container, flow, toDestination: sent.byDestination.get(flow.dst.ip) ?? 0, total: sent.total };
}

function add(sent: SentWindow, sample: Sample): void {
  sent.samples.push(sample);
  sent.total += sample.bytes;
  sent.byDestination.set(sample.dst, (sent.byDestination.get(sample.dst) ?? 0) + sample.bytes);
}

function drop(sent: SentWindow, sample: Sample): void {
  sent.head++;
  sent.total -= sample.bytes;
  const left = (sent.byDestination.get(sample.dst) ?? 0) - sample.bytes;
  if (left > 0) sent.byDestination.set(sample.dst, left);
  else sent.byDestination.delete(sample.dst);
  // Compact now and then rather than shift() per sample.
  if (sent.head > 1024 && sent.head * 2 > sent.samples.length) {
    sent.samples = sent.samples.slice(sent.head);
    sent.head = 0;
  }
}
