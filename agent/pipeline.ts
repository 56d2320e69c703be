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
import type { Finding } from '../detectors/finding.ts';
import { Isolator } from '../response/isolate.ts';
import { IsolationStore } from '../response/isolation-store.ts';
import { AutoResponder } from '../response/policy.ts';
import { ResponseService } from '../response/service.ts';
import { registerResponseRoutes } from './response-routes.ts';
import { registerWebRoutes } from './web-routes.ts';

export class Agent {
  readonly config: Config;
  readonly log: Logger;
  readonly health = new Health();
  readonly inventory = new Inventory();
  readonly bus: EventBus;
  readonly metrics = new Metrics();
  readonly server: HttpServer;
  readonly docker: DockerSource;
  readonly response: ResponseService;
  readonly autoResponder: AutoResponder;

  constructor(config: Config, log: Logger) {
    this.config = config;
    this.log = log;
    this.bus = new EventBus(log);
    const tokens = Tokens.fromFile(config.token_file);
    this.server = new HttpServer({ listen: config.listen, tokens, tls: config.tls, log });
    const dockerClient = createDockerClient(config.docker_host);
    this.docker = new DockerSource({
      docker: dockerClient,
      dockerHost: config.docker_host,
      inventory: this.inventory,
      host: config.host,
      zoneMapping: config.zones.networks,
      health: this.health,
      log,
      emit: this.bus.emit,
    });
    this.response = new ResponseService(
      new Isolator(dockerClient, new IsolationStore(config.state_dir)),
      (finding) => this.raise(finding),
      (id) => this.inventory.container(id)?.image ?? 'unknown',
    );
    this.autoResponder = new AutoResponder(config.response, this.response);
    registerResponseRoutes(this.server, this.response);
    registerWebRoutes(this.server);
    this.bus.subscribe((event) => this.metrics.events.inc({ source: eventSource(event) }));
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

  /** Every finding, from detectors and from response actions, enters the alert path here. */
  raise(finding: Finding): void {
    this.log.info({ rule: finding.rule, container: finding.container?.name, summary: finding.summary }, 'finding');
  }

  async start(): Promise<{ host: string; port: number }> {
    const isolated = await this.response.isolator.load();
    if (isolated.length)
      this.log.info({ containers: isolated.map((r) => r.name) }, 'isolated containers from an earlier run');
    const address = await this.server.listen();
    this.docker.start();
    this.log.info({ listen: `${address.host}:${address.port}` }, 'shipwatch listening');
    return address;
  }

  async stop(): Promise<void> {
    await this.docker.stop();
    await this.server.close();
  }
}
