// Flow events with bytes and payload for the volume, scan and mining rule tests: a flow.start from
// the fixtures, then updates of the same flow id with running totals.
import type { FlowRecord, ShipwatchEvent } from '../../../../collector/events.ts';
import { HOST } from '../../../fixtures/events.ts';

export function flowOf(event: ShipwatchEvent): FlowRecord {
  if (!('flow' in event)) throw new Error(`${event.kind} has no flow`);
  return event.flow;
}

/** The same flow later: `kind` with running totals and any other fields changed. */
export function later(
  start: ShipwatchEvent,
  at: number,
  kind: 'flow.update' | 'flow.end',
  change: Partial<FlowRecord>,
): ShipwatchEvent {
  const flow = { ...flowOf(start), lastSeen: at, ...change };
  return { kind, at, host: HOST, flow };
}
