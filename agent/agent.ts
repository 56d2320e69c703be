// Wiring: builds every part from the frozen config, connects sources → bus → consumers, registers
// the HTTP routes, and stops everything in reverse order.
import type { Config } from './config.ts';
import { EventBus } from './event-bus.ts';
import { Health } from '../core/health.ts';
import type { Logger } from '../core/logger.ts';
import { HttpServer } from './server.ts';
import { Tokens } from './tokens.ts';
import { createDockerClient } from '../collector/docker/docker-client.ts';
import { DockerSource } from '../collector/docker/docker-source.ts';
import { Inventory } from '../collector/inventory.ts';
import { eventSource } from '../collector/events.ts';
import { Metrics } from '../alerts/metrics.ts';
import type { Finding } from '../findings/index.ts';
import { Isolator } from '../response/isolate.ts';
import { IsolationStore } from '../response/isolation-store.ts';
import { AutoResponder } from '../response/policy.ts';
import { ResponseService } from '../response/service.ts';
import { registerResponseRoutes } from './routes/isolation.ts';
import { Detection } from './detection.ts';
import { AlertPipeline } from '../alerts/alert-pipeline.ts';
import { ContainersWiring } from './metrics-wiring.ts';
import { attachCapture, type CaptureHandle } from '../collector/packets/live-packets.ts';
import { attachActivitySources, type ActivitySources } from '../collector/sources.ts';
import { registerWebRoutes } from './routes/web.ts';
import { registerAlertRoutes } from './routes/alerts.ts';
import { registerStreamRoutes } from './routes/stream.ts';

export class Agent {
  readonly config: Config;
  readonly log: Logger;
  readonly health = new Health();
  readonly inventory = new Inventory();
  readonly bus: EventBus;
  readonly metrics = new Metrics();
  readonly server: HttpServer;
  readonly docker: DockerSource;
  /** The one door for raising alerts (detectors, response): `agent.alerts.raise(finding)`. */
  readonly alerts: AlertPipeline;
  readonly response: ResponseService;
  readonly autoResponder: AutoResponder;
  readonly detection: Detection;
  readonly containers: ContainersWiring;
  readonly capture: CaptureHandle;
  readonly activity: ActivitySources;

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
    this.alerts = new AlertPipeline({ config, metrics: this.metrics, log });
    registerAlertRoutes(this.server, this.alerts.journal);
    registerStreamRoutes(this.server, this.alerts.stream);
    this.response = new ResponseService(
      new Isolator(dockerClient, new IsolationStore(config.state_dir)),
      (finding) => this.raise(finding),
      (id) => this.inventory.container(id)?.image ?? 'unknown',
    );
    this.autoResponder = new AutoResponder(config.response, this.response);
    registerResponseRoutes(this.server, this.response);
    registerWebRoutes(this.server);
    this.bus.subscribe((event) => this.metrics.events.inc({ source: eventSource(event) }));
    this.bus.subscribe((event) => this.alerts.stream.onEvent(event));
    this.detection = new Detection({
      config,
      inventory: this.inventory,
      log,
      onFinding: (finding) => this.raise(finding),
    });
    this.bus.subscribe(this.detection.handle);
    this.detection.routes(this.server);
    this.containers = new ContainersWiring({
      config,
      docker: dockerClient,
      inventory: this.inventory,
      bus: this.bus,
      metrics: this.metrics,
      server: this.server,
      health: this.health,
      log,
      // Isolation is the response module's fact; learning/monitoring the baselines'.
      stateOf: (info) =>
        this.response.isolator.isIsolated(info.id) ? 'isolated' : this.detection.phase(info.workload),
    });
    this.activity = attachActivitySources({
      inventory: this.inventory,
      host: config.host,
      dockerHost: config.docker_host,
      health: this.health,
      log,
      emit: this.bus.emit,
      subscribe: (listener) => this.bus.subscribe(listener),
    });
    this.server.route({ method: 'GET', path: '/healthz', handler: () => ({ json: this.health.snapshot() }) });
    this.server.route({
      method: 'GET',
      path: '/metrics',
      handler: async () => {
        const { contentType, text } = await this.metrics.render();
        return { text, contentType };
      },
    });
    this.capture = attachCapture(this);
  }

  /** Every finding, from detectors and from response actions, enters the alert path here. */
  raise(finding: Finding): void {
    const alert = this.alerts.raise(finding);
    if (alert && this.autoResponder.enabled) {
      this.autoResponder
        .handle(alert)
        .catch((error: unknown) => this.log.error({ err: error, alert: alert.id }, 'automatic response failed'));
    }
  }

  async start(): Promise<{ host: string; port: number }> {
    const isolated = await this.response.isolator.load();
    if (isolated.length)
      this.log.info({ containers: isolated.map((r) => r.name) }, 'isolated containers from an earlier run');
    const address = await this.server.listen();
    this.detection.start();
    this.docker.start();
    this.containers.start();
    this.capture.start();
    this.activity.start();
    this.log.info({ listen: `${address.host}:${address.port}` }, 'shipwatch listening');
    return address;
  }

  async stop(): Promise<void> {
    // Each step logs how long it took when that is more than a second: a slow shutdown names its cause.
    const step = async (name: string, run: () => unknown): Promise<void> => {
      const started = Date.now();
      await run();
      const ms = Date.now() - started;
      if (ms > 1000) this.log.warn({ step: name, ms }, 'slow shutdown step');
    };
    await step('capture', () => this.capture.stop());
    await step('containers', () => this.containers.stop());
    await step('activity', () => this.activity.stop());
    await step('docker', () => this.docker.stop());
    await step('detection', () => this.detection.stop());
    await step('alerts', () => this.alerts.close());
    await step('server', () => this.server.close());
  }
}
