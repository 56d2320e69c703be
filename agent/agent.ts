// The Agent: builds every part from the frozen config, connects sources → bus → consumers
// (detection, alerts, metrics, the live stream), registers the HTTP routes, and stops everything
// in reverse order. This is the only place that knows all the parts.
import type { Config } from './config.ts';
import { EventBus } from './event-bus.ts';
import { Health } from '../core/health.ts';
import type { Logger } from '../core/logger.ts';
import { HttpServer } from './server.ts';
import { Tokens } from './tokens.ts';
import { createDockerClient } from '../collector/docker/index.ts';
import { Inventory } from '../collector/inventory.ts';
import { zoneOf } from '../collector/identity.ts';
import { Sources } from '../collector/sources.ts';
import { Metrics } from '../alerts/metrics.ts';
import type { Finding } from '../findings/index.ts';
import { Isolator } from '../response/isolate.ts';
import { IsolationStore } from '../response/isolation-store.ts';
import { AutoResponder } from '../response/policy.ts';
import { ResponseService } from '../response/service.ts';
import { Detection } from './detection.ts';
import { FlowMap } from './flow-map.ts';
import { Forensics } from './forensics.ts';
import { AlertPipeline } from '../alerts/alert-pipeline.ts';
import { MetricsWiring, type EventSourceName } from './metrics-wiring.ts';
import { VERSION } from './version.ts';
import { registerRoutes } from './routes/index.ts';
import type { StateOf } from './routes/containers.ts';
import { AgentFleet } from './fleet-wiring.ts';

/** What SIGHUP applies without a restart; every other key needs one (and is logged as such). */
export const RELOADABLE_KEYS = [
  'rules',
  'suppressions',
  'egress_allowlist',
  'zones',
  'trusted_registries',
  'webhooks',
  'alertmanager',
  'delivery',
] as const satisfies readonly (keyof Config)[];

export class Agent {
  /** The running configuration: replaced by reload(). */
  config: Config;
  readonly log: Logger;
  readonly health = new Health();
  readonly inventory = new Inventory();
  readonly bus: EventBus;
  readonly metrics = new Metrics();
  readonly server: HttpServer;
  readonly sources: Sources;
  /** The one door for raising alerts (detectors, response): `agent.raise(finding)`. */
  readonly alerts: AlertPipeline;
  readonly response: ResponseService;
  readonly autoResponder: AutoResponder;
  readonly detection: Detection;
  readonly flowMap = new FlowMap();
  /** The fleet bus side (DESIGN.md "Fleet"); null without a `fleet` section: no NATS at all. */
  readonly fleet: AgentFleet | null;
  readonly #stateOf: StateOf;
  /** Timelines and flow history (issue 19): what happened, kept after containers and flows are gone. */
  readonly forensics: Forensics;
  readonly #metricsWiring: MetricsWiring;
  /** zones.networks as the Docker source reads it at each network inspect: refilled by reload(). */
  readonly #zoneMapping: Record<string, string>;

  constructor(config: Config, log: Logger) {
    this.config = config;
    this.log = log;
    this.bus = new EventBus(log);
    this.#zoneMapping = { ...config.zones.networks };
    const tokens = Tokens.fromFile(config.token_file);
    this.server = new HttpServer({
      listen: config.listen,
      tokens,
      tls: config.tls,
      log,
      requireTokenForReads: config.require_token_for_reads,
    });
    const dockerClient = createDockerClient(config.docker_host);
    const subscribe = (listener: Parameters<EventBus['subscribe']>[0]) => this.bus.subscribe(listener);
    this.fleet = config.fleet ? new AgentFleet(config.fleet, config.host, this.health, log) : null;
    this.alerts = new AlertPipeline({
      config,
      metrics: this.metrics,
      log,
      health: this.health,
      extraTransports: this.fleet?.transport ? [this.fleet.transport] : [],
    });
    this.response = new ResponseService(
      new Isolator(dockerClient, new IsolationStore(config.state_dir)),
      (finding) => this.raise(finding),
      (id) => this.inventory.container(id)?.image ?? 'unknown',
    );
    this.autoResponder = new AutoResponder(config.response, this.response);
    this.bus.subscribe((event) => this.alerts.stream.onEvent(event));
    // Before detection: an alert raised by a flow finds the flow's edge already on the map.
    this.bus.subscribe(this.flowMap.onEvent);
    this.forensics = new Forensics(config, log, (id) => this.inventory.container(id) !== undefined);
    this.bus.subscribe(this.forensics.onEvent);
    this.detection = new Detection({
      config,
      inventory: this.inventory,
      log,
      onFinding: (finding) => this.raise(finding),
    });
    this.bus.subscribe(this.detection.handle);
    // Isolation is the response module's fact; learning/monitoring the baselines'.
    const stateOf: StateOf = (info) =>
      this.response.isolator.isIsolated(info.id) ? 'isolated' : this.detection.phase(info.workload);
    this.#stateOf = stateOf;
    this.#metricsWiring = new MetricsWiring({
      metrics: this.metrics,
      inventory: this.inventory,
      stateOf,
      subscribe,
      health: this.health,
      version: VERSION,
      lostCounts: () => this.#lostCounts(),
    });
    this.sources = new Sources({
      docker: dockerClient,
      dockerHost: config.docker_host,
      host: config.host,
      inventory: this.inventory,
      zoneMapping: this.#zoneMapping,
      interfaces: config.interfaces,
      snaplen: config.capture.snaplen,
      maxFlows: config.capture.max_flows,
      statsIntervalMs: config.stats_interval,
      health: this.health,
      log,
      emit: this.bus.emit,
      subscribe,
      onCaptureAttached: this.#metricsWiring.captureAttached,
      onCaptureCounts: this.#metricsWiring.captureCounts,
      onFlowTick: this.#metricsWiring.flowTick,
      trustResolver: this.detection.isResolver,
      ...(this.fleet ? { remoteServices: this.fleet.services.lookup } : {}),
    });
    registerRoutes(this.server, {
      health: this.health,
      metrics: this.metrics,
      journal: this.alerts.journal,
      stream: this.alerts.stream,
      inventory: this.inventory,
      stateOf,
      flows: this.sources,
      detection: this.detection,
      response: this.response,
      flowMap: this.flowMap,
      incidents: this.alerts.incidents.store,
      forensics: this.forensics,
    });
  }

  /**
   * Events lost, by source: those a bus subscriber failed on; for processes the events the proc
   * connector dropped (counted from the kernel's per-CPU sequence numbers) and the container execs
   * whose program was lost (gone before /proc was read, and no exec trace); for files the changes
   * shed in a write storm. Capture drops are shipwatch_capture_dropped_total's, per interface.
   */
  #lostCounts(): Partial<Record<EventSourceName, number>> {
    const lost = { ...this.bus.failures };
    const { lost: gaps, overruns, unread } = this.sources.processes.counts;
    // The kernel's sequence gaps count each lost event; an ENOBUFS alone says at least one was.
    lost.processes = (lost.processes ?? 0) + Math.max(gaps, overruns) + unread;
    lost.files = (lost.files ?? 0) + this.sources.files.lost;
    return lost;
  }

  /** Every finding, from detectors and from response actions, enters the alert path here. */
  raise(finding: Finding): void {
    const alert = this.alerts.raise(finding);
    if (alert) this.flowMap.noteAlert(alert);
    if (alert?.count === 1) this.forensics.onAlert(alert);
    if (alert && this.autoResponder.enabled) {
      this.autoResponder
        .handle(alert)
        .catch((error: unknown) => this.log.error({ err: error, alert: alert.id }, 'automatic response failed'));
    }
  }

  /**
   * Applies a new, already validated config (SIGHUP): rules, suppressions, egress allowlist, zones,
   * trusted registries and sinks, from the next event on. Keys that need a restart keep their
   * running value and are named in the log line.
   */
  async reload(next: Config): Promise<void> {
    const changed = (key: keyof Config) => JSON.stringify(next[key]) !== JSON.stringify(this.config[key]);
    const reloadable: readonly (keyof Config)[] = RELOADABLE_KEYS;
    const needRestart = (Object.keys(next) as (keyof Config)[]).filter((k) => !reloadable.includes(k) && changed(k));
    const applied = RELOADABLE_KEYS.filter(changed);
    this.detection.reconfigure(next);
    for (const key of Object.keys(this.#zoneMapping)) delete this.#zoneMapping[key];
    Object.assign(this.#zoneMapping, next.zones.networks);
    // Networks already known take their new zone now (a shipwatch.zone label still wins).
    for (const network of this.inventory.networks()) {
      const zone = zoneOf(network.name, network.labels, this.#zoneMapping);
      if (zone !== network.zone) this.inventory.upsertNetwork({ ...network, zone });
    }
    const sinks = await this.alerts.reconfigure(next);
    // Restart-only keys keep their running values, so the config stays what actually runs.
    const running = Object.fromEntries(needRestart.map((key) => [key, this.config[key]]));
    this.config = Object.freeze({ ...next, ...running });
    this.log.info({ changed: applied, sinks }, 'configuration reloaded');
    if (needRestart.length)
      this.log.warn({ keys: needRestart }, `not applied until a restart: ${needRestart.join(', ')}`);
  }

  async start(): Promise<{ host: string; port: number }> {
    const isolated = await this.response.isolator.load();
    if (isolated.length)
      this.log.info({ containers: isolated.map((r) => r.name) }, 'isolated containers from an earlier run');
    const address = await this.server.listen();
    this.detection.start();
    if (this.fleet) {
      const fleet = this.fleet;
      this.detection.onReplaced = (workload, actor) => fleet.baselines?.replaced(workload, actor);
      fleet.start({
        runner: this.detection.runner,
        inventory: this.inventory,
        stateOf: this.#stateOf,
        response: this.response,
        subscribe: (listener) => this.bus.subscribe(listener),
        version: VERSION,
      });
    }
    this.forensics.start();
    this.#metricsWiring.start();
    this.sources.start();
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
    await this.sources.stop(step);
    await step('metrics', () => this.#metricsWiring.stop());
    await step('detection', () => this.detection.stop());
    this.forensics.stop();
    await step('alerts', () => this.alerts.close());
    // After the alerts: their close gives the fleet sink its last chance to deliver.
    await step('fleet', () => this.fleet?.stop());
    await step('server', () => this.server.close());
  }
}
