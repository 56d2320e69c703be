// Wires issue 3's consumers of the inventory: the /api/containers routes, the
// shipwatch_containers{state} gauge, the stats collector and the cAdvisor-named metrics it feeds.
// One object the pipeline builds, starts and stops.
import type Docker from 'dockerode';
import { ContainerMetrics } from '../alerts/container-metrics.ts';
import type { Metrics } from '../alerts/metrics.ts';
import type { Inventory } from '../collector/inventory.ts';
import { StatsCollector } from '../collector/stats/stats-collector.ts';
import type { Config } from './config.ts';
import type { EventBus } from './event-bus.ts';
import type { Health } from '../core/health.ts';
import type { Logger } from '../core/logger.ts';
import { registerContainerRoutes, updateContainerGauge, type StateOf } from './routes/containers.ts';
import type { HttpServer } from './server.ts';

export interface ContainersWiringOptions {
  config: Config;
  docker: Docker;
  inventory: Inventory;
  bus: EventBus;
  metrics: Metrics;
  server: HttpServer;
  health: Health;
  log: Logger;
  stateOf: StateOf;
}

/** Learning ends by the clock, not by an event: the gauge is also refreshed on this period. */
const GAUGE_REFRESH_MS = 1000;

export class ContainersWiring {
  readonly stats: StatsCollector;
  readonly #o: ContainersWiringOptions;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: ContainersWiringOptions) {
    this.#o = options;
    const { config, inventory, bus, metrics, server, health, log, stateOf } = options;
    registerContainerRoutes(server, inventory, stateOf);
    const containerMetrics = new ContainerMetrics(metrics);
    bus.subscribe(containerMetrics.handle);
    bus.subscribe((event) => {
      if (event.kind.startsWith('container.')) this.#refreshGauge();
    });
    this.stats = new StatsCollector({
      inventory,
      docker: options.docker,
      host: config.host,
      intervalMs: config.stats_interval,
      health,
      log,
      emit: bus.emit,
    });
  }

  start(): void {
    this.#refreshGauge();
    this.#timer = setInterval(() => this.#refreshGauge(), GAUGE_REFRESH_MS);
    this.#timer.unref();
    this.stats.start();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.stats.stop();
  }

  #refreshGauge(): void {
    updateContainerGauge(this.#o.metrics, this.#o.inventory, this.#o.stateOf);
  }
}
