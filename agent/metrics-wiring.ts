// What the agent feeds the metrics registry from the collector: events by source, the cAdvisor-
// named container series, shipwatch_containers{state}, capture counters and flow counters. The
// sources report through callbacks and events; turning that into series is wiring, so it lives here.
import { ContainerMetrics } from '../alerts/container-metrics.ts';
import type { Metrics } from '../alerts/metrics.ts';
import { eventSource, type ShipwatchEvent } from '../collector/events.ts';
import type { FlowTable } from '../collector/flows/index.ts';
import type { Inventory } from '../collector/inventory.ts';
import type { ContainerInfo } from '../collector/inventory-types.ts';
import { recordFlowMetrics } from './flow-metrics.ts';
import { CONTAINER_STATES, type ContainerState, type StateOf } from './routes/containers.ts';

export interface MetricsWiringOptions {
  metrics: Metrics;
  inventory: Inventory;
  stateOf: StateOf;
  subscribe: (listener: (event: ShipwatchEvent) => void) => void;
}

/** Learning ends by the clock, not by an event: the gauge is also refreshed on this period. */
const GAUGE_REFRESH_MS = 1000;

/** Containers that count in shipwatch_containers: those that exist as processes. */
function isLive(info: ContainerInfo): boolean {
  return info.state === 'running' || info.state === 'paused' || info.state === 'restarting';
}

/** Sets shipwatch_containers{state} from the inventory, every state present (zero included). */
export function updateContainerGauge(metrics: Metrics, inventory: Inventory, stateOf: StateOf): void {
  const counts = new Map<ContainerState, number>(CONTAINER_STATES.map((s) => [s, 0]));
  for (const info of inventory.containers()) {
    if (!isLive(info)) continue;
    const state = stateOf(info);
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  for (const [state, count] of counts) metrics.containers.set({ state }, count);
}

export class MetricsWiring {
  readonly #o: MetricsWiringOptions;
  #timer: NodeJS.Timeout | null = null;

  constructor(o: MetricsWiringOptions) {
    this.#o = o;
    const containerMetrics = new ContainerMetrics(o.metrics);
    o.subscribe((event) => o.metrics.events.inc({ source: eventSource(event) }));
    o.subscribe(containerMetrics.handle);
    o.subscribe((event) => {
      if (event.kind.startsWith('container.')) this.#refreshGauge();
    });
  }

  /** Both counters exist from the attach on, at 0: a quiet bridge is then visibly captured and
   * loss-free, and rate() over a first packet does not miss it. */
  readonly captureAttached = (iface: string): void => {
    this.#o.metrics.capturePackets.inc({ interface: iface }, 0);
    this.#o.metrics.captureDropped.inc({ interface: iface }, 0);
  };

  readonly captureCounts = (iface: string, captured: number, dropped: number): void => {
    if (captured) this.#o.metrics.capturePackets.inc({ interface: iface }, captured);
    if (dropped) this.#o.metrics.captureDropped.inc({ interface: iface }, dropped);
  };

  readonly flowTick = (flows: FlowTable): void => recordFlowMetrics(this.#o.metrics, flows);

  start(): void {
    this.#refreshGauge();
    this.#timer = setInterval(() => this.#refreshGauge(), GAUGE_REFRESH_MS).unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  #refreshGauge(): void {
    updateContainerGauge(this.#o.metrics, this.#o.inventory, this.#o.stateOf);
  }
}
