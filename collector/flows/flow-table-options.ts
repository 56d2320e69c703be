// What a FlowTable is told, and the timeouts it takes when it is not (flow-table.ts: after Zeek).
import type { ShipwatchEvent } from '../events.ts';
import type { Attributor } from './flow-attribution.ts';

export interface FlowTableOptions {
  host: string;
  maxFlows: number;
  attributor: Attributor;
  emit: (event: ShipwatchEvent) => void;
  nameOf?: (asker: string, ip: string, now: number) => string | null; // asker: a container id or an address
  tcpIdleMs?: number;
  udpIdleMs?: number;
  updateIntervalMs?: number;
  /** How long a closed TCP flow keeps absorbing its last ACKs before it leaves the table. */
  closedLingerMs?: number;
}

export type FlowTableSettings = Required<Omit<FlowTableOptions, 'nameOf'>> & Pick<FlowTableOptions, 'nameOf'>;

export function withDefaults(options: FlowTableOptions): FlowTableSettings {
  return {
    tcpIdleMs: 5 * 60_000,
    udpIdleMs: 60_000,
    updateIntervalMs: 60_000,
    closedLingerMs: 10_000,
    ...options,
  };
}
