// Wiring: builds every part from the frozen config, connects sources → bus → consumers, registers
// the HTTP routes, and stops everything in reverse order.
import type { Config } from './config.ts';
import { EventBus } from './event-bus.ts';
import { Health } from './health.ts';
import type { Logger } from './logger.ts';
import { HttpServer } from './server.ts';
import { Tokens } from './tokens.ts';
import { createDockerClient } from '../collector/docker-client.ts';
import { DockerSource } from '../collector/docker.ts';
import { Inventory } from '../collector/inventory.ts';
import { eventSource } from '../collector/events.ts';
import { Metrics } from '../alerts/metrics.ts';
import { attachActivitySources, type ActivitySources } from '../collector/activity.ts';

export class Agent {
  readonly config: Config;
  readonly log: Logger;
  readonly health = new Health();
  readonly inventory = new Inventory();
  readonly bus: EventBus;
  readonly metrics = new Metrics();
  readonly server: HttpServer;
  readonly docker: DockerSource;
  readonly activity: ActivitySources;

  constructor(config: Config, log: Logger) {
    this.config = config;
    this.log = log;
    this.bus = new EventBus(log);
    const tokens = Tokens.fromFile(config.token_file);
    this.server = new HttpServer({ listen: config.listen, tokens, tls: config.tls, log });
    this.docker = new DockerSource({
      docker: createDockerClient(config.docker_host),
      dockerHost: config.docker_host,
      inventory: this.inventory,
      host: config.host,
      zoneMapping: config.zones.networks,
      health: this.health,
      log,
      emit: this.bus.emit,
    });
    this.bus.subscribe((event) => this.metrics.events.inc({ source: eventSource(event) }));
    this.activity = attachActivitySources(this);
    this.server.route({ method: 'GET', path: '/healthz', handler: () => ({ json: this.health.snapshot() }) });
    this.server.route({
      method: 'GET',
      path: '/metrics',
      handler: async () => {
        const { contentType, text } = await this.metrics.render();
        return { text, contentType };
      },
    });
  }

  async start(): Promise<{ host: string; port: number }> {
    const address = await this.server.listen();
    this.docker.start();
    this.activity.start();
    this.log.info({ listen: `${address.host}:${address.port}` }, 'shipwatch listening');
    return address;
  }

  async stop(): Promise<void> {
    this.activity.stop();
    await this.docker.stop();
    await this.server.close();
  }
}
