// What the agent feeds the metrics registry from the collector: events by source, the cAdvisor-
// named container series, shipwatch_containers{state}, capture counters and flow counters, and
// the agent's own health (build info, source up, events lost). The sources report through
// callbacks and events; turning that into series is wiring, so it lives here.
import { ContainerMetrics } from '../alerts/container-metrics.ts';
import type { Metrics } from '../alerts/metrics.ts';
import type { Health, SourceState } from '../core/health.ts';
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
  health: Health;
  version: string;
  /** Events lost so far, by event source (counts that only grow); read on every refresh. */
  lostCounts?: () => Partial<Record<EventSourceName, number>>;
}

export type EventSourceName = ReturnType<typeof eventSource>;

/** Every value of shipwatch_events_total's and shipwatch_events_lost_total's `source` label. */
export const EVENT_SOURCES: readonly EventSourceName[] = ['docker', 'packets', 'processes', 'files', 'stats'];

/**
 * shipwatch_source_up: 1 while the source delivers events. `degraded` counts as up: the source
 * still delivers, with less fidelity (the process poll fallback, an overrun, a partly watched
 * tree), and /healthz says why; 0 means blind (starting, down). A `disabled` source is not meant
 * to run and has no series, so "a source is down" never fires for it.
 */
export function sourceUpValue(state: SourceState): 0 | 1 | null {
  if (state === 'disabled') return null;
  return state === 'up' || state === 'degraded' ? 1 : 0;
}

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
  #unregister: (() => void)[] = [];
  readonly #exported = new Set<string>();
  readonly #lostSeen = new Map<EventSourceName, number>();

  constructor(o: MetricsWiringOptions) {
    this.#o = o;
    o.metrics.buildInfo.set({ version: o.version, node: process.version }, 1);
    // At 0 from the start: rate() and increase() then see the first loss, and a dashboard shows
    // "nothing lost" rather than "no data".
    for (const source of EVENT_SOURCES) o.metrics.eventsLost.inc({ source }, 0);
    const containerMetrics = new ContainerMetrics(o.metrics);
    o.subscribe((event) => o.metrics.events.inc({ source: eventSource(event) }));
    o.subscribe(containerMetrics.handle);
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

  readonly flowTick = (flows: FlowTable, stop?: () => boolean): boolean =>
    recordFlowMetrics(this.#o.metrics, flows, stop);

  /**
   * From now on shipwatch_containers, source_up and events_lost are computed when read. They
   * follow the clock (learning ends by time) and /healthz, neither of which sends an event; a
   * refresh on a 1 s timer was about a tenth of an idle agent's samples in a perf profile.
   */
  start(): void {
    if (this.#unregister.length) return;
    const { metrics, inventory, stateOf } = this.#o;
    this.#unregister = [
      metrics.onCollect('containers', () => updateContainerGauge(metrics, inventory, stateOf)),
      metrics.onCollect('sourceUp', () => this.#refreshSourceUp()),
      metrics.onCollect('eventsLost', () => this.#refreshLost()),
    ];
  }

  stop(): void {
    for (const unregister of this.#unregister) unregister();
    this.#unregister = [];
  }

  /** source_up from /healthz's states (a detached bridge's series goes). */
  #refreshSourceUp(): void {
    const { metrics, health } = this.#o;
    const present = new Set<string>();
    for (const [source, { state }] of Object.entries(health.snapshot().sources)) {
      const value = sourceUpValue(state);
      if (value === null) continue;
      metrics.sourceUp.set({ source }, value);
      present.add(source);
    }
    for (const source of this.#exported) if (!present.has(source)) metrics.sourceUp.remove({ source });
    this.#exported.clear();
    for (const source of present) this.#exported.add(source);
  }

  /** events_lost: what each source's count grew by since the last read. */
  #refreshLost(): void {
    const { metrics, lostCounts } = this.#o;
    for (const [source, total] of Object.entries(lostCounts?.() ?? {}) as [EventSourceName, number][]) {
      const delta = total - (this.#lostSeen.get(source) ?? 0);
      if (delta > 0) metrics.eventsLost.inc({ source }, delta);
      this.#lostSeen.set(source, total);
    }
  }
}
