// The connection to the fleet's NATS cluster. Connecting never blocks or crashes the agent: the
// first connection is retried in the background with a backoff, each failure is a `fleet` health
// state with its reason and a log line; once connected, the client reconnects by itself (forever)
// and its status events keep the health current. Streams and buckets are created idempotently
// on each (re)connect, replicated three times when the cluster has room and once otherwise.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionOptions, NatsConnection } from '@nats-io/transport-node';
import type { JetStreamClient, StreamConfig } from '@nats-io/jetstream';
import type { KV, KvOptions } from '@nats-io/kv';
import type { Health } from '../core/health.ts';
import type { Logger } from '../core/logger.ts';
import { ALERTS_STREAM, BASELINES_BUCKET, FLOWS_STREAM, HOSTS_BUCKET } from './subjects.ts';

/** The config keys the bus reads (agent/config-fleet.ts), secrets already read from their files. */
export interface FleetSettings {
  readonly servers: readonly string[];
  readonly user?: string | undefined;
  readonly password: string | null;
  readonly token: string | null;
  readonly creds_secret: string | null;
  readonly tls: {
    readonly ca?: string | undefined;
    readonly cert?: string | undefined;
    readonly key?: string | undefined;
  } | null;
}

export interface FleetHandles {
  nc: NatsConnection;
  js: JetStreamClient;
  baselines: KV;
  hosts: KV;
}

/**
 * The NATS client, imported when the bus first connects: about 80 modules that an agent without a
 * `fleet` section, `run --pcap` and every other command never use, loaded by everything that
 * imports fleet/ otherwise.
 */
const natsClient = () =>
  Promise.all([import('@nats-io/transport-node'), import('@nats-io/jetstream'), import('@nats-io/kv')]).then(
    ([transport, js, kv]) => ({ transport, js, kv }),
  );

const HOUR_NS = 3_600_000_000_000;
/** Long enough that an alert resent after a long outage is still recognised as a duplicate. */
const DUPLICATE_WINDOW_NS = HOUR_NS;

export async function connectionOptions(settings: FleetSettings, name: string): Promise<ConnectionOptions> {
  const options: ConnectionOptions = {
    servers: [...settings.servers],
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    timeout: 3000,
  };
  if (settings.user !== undefined)
    Object.assign(options, { user: settings.user, pass: settings.password ?? undefined });
  if (settings.token !== null) options.token = settings.token;
  if (settings.creds_secret !== null) {
    const { credsAuthenticator } = (await natsClient()).transport;
    options.authenticator = credsAuthenticator(new TextEncoder().encode(settings.creds_secret));
  }
  if (settings.tls) {
    options.tls = {
      ...(settings.tls.ca ? { ca: readFileSync(settings.tls.ca, 'utf8') } : {}),
      ...(settings.tls.cert ? { cert: readFileSync(settings.tls.cert, 'utf8') } : {}),
      ...(settings.tls.key ? { key: readFileSync(settings.tls.key, 'utf8') } : {}),
    };
  }
  return options;
}

export interface FleetBusOptions {
  settings: FleetSettings;
  /** The client name servers show (`shipwatch-agent@host`). */
  name: string;
  health: Health;
  log: Logger;
  onReady?: (handles: FleetHandles) => void;
  /** false: connect only when start() is called (the agent builds its parts first). */
  start?: boolean;
}

export class FleetBus {
  handles: FleetHandles | null = null;
  readonly #o: FleetBusOptions;
  readonly #stop = new AbortController();
  #ready: Promise<void> = Promise.resolve();
  #started = false;

  constructor(options: FleetBusOptions) {
    this.#o = options;
    if (options.start !== false) this.start();
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#o.health.set('fleet', 'starting', `connecting to ${this.#o.settings.servers.join(', ')}`);
    this.#ready = this.#connectLoop();
  }

  get connected(): boolean {
    return this.handles !== null && !this.handles.nc.isClosed() && this.#o.health.get('fleet')?.state === 'up';
  }

  async #connectLoop(): Promise<void> {
    const { settings, health, log } = this.#o;
    for (let attempt = 1; !this.#stop.signal.aborted; attempt++) {
      try {
        const { connect } = (await natsClient()).transport;
        const nc = await connect(await connectionOptions(settings, this.#o.name));
        this.#watchStatus(nc);
        this.handles = await this.#assets(nc);
        health.set('fleet', 'up');
        log.info({ servers: settings.servers, server: nc.info?.server_name }, 'fleet bus connected');
        this.#o.onReady?.(this.handles);
        return;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        health.set('fleet', 'degraded', `not connected: ${reason}`);
        if (attempt === 1 || attempt % 10 === 0)
          log.warn({ servers: settings.servers, reason, attempt }, 'fleet bus unreachable');
        const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
        await sleep(delay, undefined, { signal: this.#stop.signal }).catch(() => undefined);
      }
    }
  }

  #watchStatus(nc: NatsConnection): void {
    const { health, log } = this.#o;
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect') {
          health.set('fleet', 'degraded', `disconnected from ${status.server}; reconnecting`);
          log.warn({ server: status.server }, 'fleet bus disconnected');
        } else if (status.type === 'reconnect') {
          health.set('fleet', 'up');
          log.info({ server: status.server }, 'fleet bus reconnected');
        } else if (status.type === 'error') {
          health.set('fleet', 'degraded', String(status.error));
        }
      }
    })().catch(() => undefined);
  }

  async #assets(nc: NatsConnection): Promise<FleetHandles> {
    const { js: jetStreamApi, kv: kvApi } = await natsClient();
    const { jetstream, jetstreamManager, RetentionPolicy } = jetStreamApi;
    const jsm = await jetstreamManager(nc, { timeout: 5000 });
    const replicated = async <T>(create: (replicas: number) => Promise<T>): Promise<T> => {
      try {
        return await create(3);
      } catch (error) {
        // A single server (or a cluster of fewer than three) cannot hold three replicas.
        if (!/replica|insufficient resources|clustered/i.test(String(error))) throw error;
        return create(1);
      }
    };
    const stream = (config: Partial<StreamConfig>) => async (replicas: number) => {
      const full = { ...config, num_replicas: replicas } as StreamConfig;
      try {
        await jsm.streams.info(full.name);
        await jsm.streams.update(full.name, full).catch(() => undefined);
      } catch {
        await jsm.streams.add(full);
      }
    };
    await replicated(
      stream({
        name: ALERTS_STREAM,
        subjects: ['shipwatch.alerts.>'],
        retention: RetentionPolicy.Limits,
        max_age: 30 * 24 * HOUR_NS,
        max_bytes: 1024 ** 3,
        duplicate_window: DUPLICATE_WINDOW_NS,
      }),
    );
    await replicated(
      stream({ name: FLOWS_STREAM, subjects: ['shipwatch.flows.>'], max_age: 24 * HOUR_NS, max_bytes: 1024 ** 3 }),
    );
    const kvm = new kvApi.Kvm(nc);
    // An existing bucket is opened as it is (another agent or the operator made it).
    const bucket = (name: string, options: Partial<KvOptions>) => async (replicas: number) => {
      const exists = await jsm.streams.info(`KV_${name}`).then(
        () => true,
        () => false,
      );
      return exists ? kvm.open(name) : kvm.create(name, { ...options, replicas });
    };
    const baselines = await replicated(bucket(BASELINES_BUCKET, { history: 64 }));
    const hosts = await replicated(bucket(HOSTS_BUCKET, { history: 1, ttl: 7 * 24 * 3_600_000 }));
    return { nc, js: jetstream(nc, { timeout: 5000 }), baselines, hosts };
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await this.#ready;
    await this.handles?.nc.drain().catch(() => undefined);
  }
}
