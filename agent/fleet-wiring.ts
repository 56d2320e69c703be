// The agent's side of the fleet (DESIGN.md "Fleet"), built only when `fleet` is configured: the
// bus connection (a `fleet` health source), the alert transport handed to the alert pipeline
// (behind its durable queue), shared baselines, ended flows and heartbeats, and the responder for
// remote actions. The bus being down never stops the agent: it keeps detecting, queues alerts and
// catches up when the bus returns.
import type { FleetConfig } from './config-fleet.ts';
import type { Health } from '../core/health.ts';
import type { Logger } from '../core/logger.ts';
import type { Inventory } from '../collector/inventory.ts';
import type { ShipwatchEvent } from '../collector/events.ts';
import type { ResponseService } from '../response/service.ts';
import { FleetAlertTransport } from '../alerts/fleet-sink.ts';
import {
  BaselineSync,
  FleetBus,
  FleetPublisher,
  HEARTBEAT_MS,
  serveActions,
  ServiceDirectory,
  type ActionReply,
  type ActionRequest,
  type FleetHandles,
} from '../fleet/index.ts';
import type { DetectorRunner, WorkloadBaseline } from '../detectors/index.ts';
import { baselineCodec, FleetBaselines } from './fleet-baselines.ts';
import { containerView, type StateOf } from './routes/containers.ts';
import { hostAddresses, publishedServices } from './fleet-services.ts';

const SERVICES_REFRESH_MS = 3_600_000;

export interface FleetParts {
  runner: DetectorRunner;
  inventory: Inventory;
  stateOf: StateOf;
  response: ResponseService;
  subscribe: (listener: (event: ShipwatchEvent) => void) => void;
  version: string;
}

export class AgentFleet {
  readonly transport: FleetAlertTransport | null;
  readonly publisher: FleetPublisher;
  readonly bus: FleetBus;
  baselines: FleetBaselines | null = null;
  /** Other hosts' published ports, for naming a flow's remote end (cross-host attribution). */
  readonly services: ServiceDirectory;
  readonly #config: FleetConfig;
  readonly #host: string;
  readonly #health: Health;
  readonly #log: Logger;
  #parts: FleetParts | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopWatch: (() => void) | null = null;
  #stopServicesWatch: (() => void) | null = null;
  /** The services entry last written, as JSON, and when: written again when it changes, or hourly (the bucket's entries expire after 7 days). */
  #servicesWritten: { json: string; at: number } | null = null;

  constructor(config: FleetConfig, host: string, health: Health, log: Logger) {
    this.#config = config;
    this.#host = host;
    this.#health = health;
    this.#log = log.child({ part: 'fleet' });
    this.bus = new FleetBus({
      settings: config,
      name: `shipwatch-agent@${host}`,
      health,
      log: this.#log,
      onReady: (handles) => this.#ready(handles),
      start: false,
    });
    this.publisher = new FleetPublisher(this.bus, host);
    this.services = new ServiceDirectory(host);
    this.transport = config.publish.includes('alerts')
      ? new FleetAlertTransport((alert) => this.publisher.publishAlert(alert))
      : null;
  }

  /** Connects in the background; returns at once. */
  start(parts: FleetParts): void {
    this.#parts = parts;
    if (this.#config.share_baselines) {
      // Built before the bus connects, so PUTs made meanwhile are remembered and written later.
      this.baselines = new FleetBaselines(parts.runner, this.#sync(), () => this.bus.connected, this.#log);
    }
    if (this.#config.publish.includes('flows')) {
      parts.subscribe((event) => {
        if (event.kind !== 'flow.end') return;
        const { flow } = event;
        this.publisher.publishFlow({
          host: this.#host,
          id: flow.id,
          protocol: flow.protocol,
          src: flow.src,
          dst: flow.dst,
          network: flow.network,
          bytesOut: flow.bytesOut,
          bytesIn: flow.bytesIn,
          state: flow.state,
          firstSeen: flow.firstSeen,
          lastSeen: flow.lastSeen,
        });
      });
    }
    this.bus.start();
  }

  #syncInstance: BaselineSync<WorkloadBaseline> | null = null;
  #sync(): BaselineSync<WorkloadBaseline> {
    // The KV handle exists only once connected: the sync object reads it through the bus.
    this.#syncInstance ??= new BaselineSync({
      kv: () => this.bus.handles?.baselines ?? null,
      host: this.#host,
      codec: baselineCodec,
      log: this.#log,
      onRemote: (remote) => this.baselines?.onRemote(remote),
    });
    return this.#syncInstance;
  }

  #ready(handles: FleetHandles): void {
    const parts = this.#parts;
    if (!parts) return;
    if (this.baselines) {
      this.#sync()
        .start()
        .then(() => this.baselines?.start())
        .catch((error: unknown) => this.#log.error({ err: error }, 'fleet baseline watch not started'));
      this.#stopWatch = () => {
        this.baselines?.stop();
        this.#syncInstance?.stop();
      };
    }
    serveActions(handles.nc, this.#host, (request) => this.#act(request), this.#log);
    this.#watchServices(handles);
    this.#servicesWritten = null;
    const beat = () => {
      this.#writeServices(parts);
      void this.publisher
        .heartbeat({
          version: parts.version,
          health: this.#health.snapshot(),
          containers: parts.inventory.containers().length,
          inventory: this.#config.publish.includes('inventory')
            ? parts.inventory.containers().map((info) => containerView(info, parts.inventory, parts.stateOf))
            : null,
        })
        .catch((error: unknown) => this.#log.debug({ err: error }, 'fleet heartbeat not sent'));
    };
    beat();
    this.#timer = setInterval(beat, HEARTBEAT_MS).unref();
  }

  /** Publishes this host's ports when they changed since the last write (inventory published only). */
  #writeServices(parts: FleetParts): void {
    if (!this.#config.publish.includes('inventory')) return;
    const addresses = this.#config.addresses ?? hostAddresses(parts.inventory);
    const services = publishedServices(parts.inventory, addresses);
    const json = JSON.stringify(services);
    const now = Date.now();
    if (json === this.#servicesWritten?.json && now - this.#servicesWritten.at < SERVICES_REFRESH_MS) return;
    this.#servicesWritten = { json, at: now };
    this.publisher.publishServices(services).catch((error: unknown) => {
      this.#servicesWritten = null;
      this.#log.debug({ err: error }, 'fleet services not written');
    });
  }

  /** Keeps every other host's published ports; a malformed or foreign entry is logged and not applied. */
  #watchServices(handles: FleetHandles): void {
    this.#stopServicesWatch?.();
    let stopped = false;
    this.#stopServicesWatch = () => {
      stopped = true;
    };
    void (async () => {
      const watch = await handles.hosts.watch({ key: 'services.>' });
      if (stopped) return watch.stop();
      this.#stopServicesWatch = () => watch.stop();
      for await (const entry of watch) {
        const keyToken = entry.key.slice('services.'.length);
        if (entry.operation !== 'PUT') {
          this.services.removeHost(keyToken);
          continue;
        }
        let value: unknown;
        try {
          value = entry.json();
        } catch {
          value = null;
        }
        const refused = this.services.apply(keyToken, value);
        if (refused) this.#log.warn({ key: entry.key, reason: refused }, 'fleet services entry rejected');
      }
    })().catch((error: unknown) => this.#log.warn({ err: error }, 'fleet services watch ended'));
  }

  async #act(request: ActionRequest): Promise<ActionReply> {
    const response = this.#parts?.response;
    const host = this.#host;
    if (!response) return { ok: false, host, status: 503, code: 'starting', message: 'agent is starting' };
    const outcome =
      request.action === 'isolate'
        ? await response.isolate(request.container, {
            actor: request.actor,
            reason: request.reason,
            alertId: null,
            pause: request.pause,
          })
        : await response.release(request.container, request.actor, request.reason);
    if (outcome.ok) {
      const changed = 'changed' in outcome ? outcome.changed : true;
      return { ok: true, host, result: { changed, record: outcome.record, warnings: outcome.warnings } };
    }
    const status = outcome.code === 'not_found' ? 404 : outcome.code === 'docker_error' ? 502 : 409;
    return { ok: false, host, status, code: outcome.code, message: outcome.message };
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#stopWatch?.();
    this.#stopServicesWatch?.();
    await this.bus.close();
  }
}
