// The Docker source: the connection to the daemon's event stream. Reconnects with backoff when
// the daemon goes away and resyncs in full afterwards (inventory-sync.ts), so containers that
// started or died meanwhile are not missed; a ping watchdog notices a stream that went quiet.
// Messages keep the daemon's order per container (or per network), and those of different
// containers are handled concurrently (keyed-queue.ts), so churn elsewhere does not delay an exec.
import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Health } from '../../core/health.ts';
import type { Logger } from '../../core/logger.ts';
import { DeadlineExceeded, withDeadline } from './deadline.ts';
import { orderKeyOf, type DockerEventMessage } from './docker-mapping.ts';
import type { ShipwatchEvent } from '../events.ts';
import type { Inventory } from '../inventory.ts';
import { InventorySync } from './inventory-sync.ts';
import { KeyedQueue } from './keyed-queue.ts';
import { LineSplitter } from './line-splitter.ts';

export interface DockerSourceOptions {
  docker: Docker;
  dockerHost: string;
  inventory: Inventory;
  host: string;
  zoneMapping: Readonly<Record<string, string>>;
  health: Health;
  log: Logger;
  emit: (event: ShipwatchEvent) => void;
  now?: () => number;
  /** For tests: the deadline of an event's inspect (EVENT_INSPECT_TIMEOUT_MS otherwise). */
  eventInspectTimeoutMs?: number;
}

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 30_000;
// Every ping is a new HTTP request on a new socket to the daemon: at 2 s it was a good part of an
// idle agent's CPU. A daemon that died with the stream left open is still noticed within 10 s.
const LIVENESS_INTERVAL_MS = 5000;
const PING_TIMEOUT_MS = 5000;
/**
 * Messages handled at once (each mostly waiting on an inspect): as many as the resync inspects at
 * once, enough that churning containers no longer queue a quiet one's exec behind their inspects
 * (docker-event-lag.test.ts), few enough that a burst of events is no burst of requests.
 */
const EVENT_CONCURRENCY = 8;

export class DockerSource {
  readonly #o: DockerSourceOptions;
  readonly #sync: InventorySync;
  readonly #abort = new AbortController();
  #loop: Promise<void> | null = null;
  #stream: Readable | null = null;
  /** Messages in the daemon's order per container (or network); different ones concurrently. */
  readonly #queue: KeyedQueue;
  #connected = false;
  #firstSync: Promise<void>;
  #resolveFirstSync!: () => void;
  /** Reconnections after the first connection, for the metric and tests. */
  reconnects = 0;

  constructor(options: DockerSourceOptions) {
    this.#o = options;
    this.#sync = new InventorySync({ ...options, now: options.now ?? Date.now });
    this.#queue = new KeyedQueue(EVENT_CONCURRENCY, (error, key) => {
      this.#o.log.warn({ err: error, key }, 'docker event handling failed');
    });
    this.#firstSync = new Promise((resolve) => (this.#resolveFirstSync = resolve));
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Starts the connect → resync → stream loop; resolves at once (see synced()). */
  start(): void {
    this.#o.health.set('docker', 'starting', `connecting to ${this.#o.dockerHost}`);
    this.#loop = this.#run();
  }

  /** Resolves after the first full inventory sync. */
  synced(): Promise<void> {
    return this.#firstSync;
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    this.#destroyStream();
    await this.#loop;
    await this.#queue.idle();
  }

  async #run(): Promise<void> {
    let attempt = 0;
    let everConnected = false;
    while (!this.#abort.signal.aborted) {
      try {
        await this.#o.docker.ping();
        // Subscribe before the resync, so whatever happens during it is still seen afterwards.
        const stream = await this.#o.docker.getEvents({ filters: { type: ['container', 'network'] } });
        // Docker's event stream is an http.IncomingMessage: a Readable we can destroy to stop.
        this.#stream = stream as Readable;
        // stop() may have come while the subscription was being made, when there was no stream
        // to destroy yet: this one would then be consumed forever.
        if (this.#abort.signal.aborted) {
          this.#destroyStream();
          break;
        }
        // Messages of the stream before are handled first: a resync beside them would take a
        // container one of them adds for gone, and remove it. (This stream's messages wait in it,
        // unread, until the resync is done.)
        await this.#queue.idle();
        await this.#sync.resync();
        await this.#sync.emitPosture();
        if (everConnected) this.reconnects++;
        everConnected = true;
        attempt = 0;
        this.#connected = true;
        this.#o.health.set('docker', 'up', this.#o.dockerHost);
        this.#o.log.info(
          { dockerHost: this.#o.dockerHost, containers: this.#o.inventory.containers().length },
          'docker connected',
        );
        this.#resolveFirstSync();
        await this.#consume(stream as Readable);
        if (!this.#abort.signal.aborted) throw new Error('event stream ended');
      } catch (error) {
        this.#connected = false;
        this.#destroyStream();
        if (this.#abort.signal.aborted) break;
        const reason = error instanceof Error ? error.message : String(error);
        this.#o.health.set('docker', 'down', `${this.#o.dockerHost}: ${reason}`);
        if (attempt === 0) this.#o.log.warn({ dockerHost: this.#o.dockerHost, reason }, 'docker unreachable, retrying');
      }
      // Exponential backoff with jitter, so many agents do not hammer a restarting daemon in step.
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt) * (0.5 + Math.random() / 2);
      attempt++;
      await sleep(delay, undefined, { signal: this.#abort.signal }).catch(() => undefined);
    }
  }

  #destroyStream(): void {
    this.#stream?.destroy();
    this.#stream = null;
  }

  /**
   * Feeds the stream's messages to #handle until it ends. The daemon is also pinged meanwhile: an
   * event stream can stay open, or close unnoticed, while the daemon is gone (a half-open
   * connection to a crashed host; seen here now and then with a SIGKILLed local dockerd, the
   * stream never ending), so a failed ping ends the wait too and the reconnect loop takes over.
   */
  #consume(stream: Readable): Promise<void> {
    let watchdog: NodeJS.Timeout | undefined;
    return new Promise<void>((resolve, reject) => {
      if (stream.destroyed || stream.readableEnded) {
        resolve();
        return;
      }
      watchdog = setInterval(() => {
        // dockerode's ping takes no signal: the deadline only stops the wait.
        withDeadline('ping', PING_TIMEOUT_MS, () => this.#o.docker.ping() as Promise<unknown>).catch(
          (error: unknown) => {
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      }, LIVENESS_INTERVAL_MS);
      const lines = new LineSplitter();
      stream.on('data', (chunk: Buffer) => {
        for (const line of lines.push(chunk.toString('utf8'))) {
          let message: DockerEventMessage;
          try {
            message = JSON.parse(line) as DockerEventMessage;
          } catch {
            this.#o.log.warn({ line: line.slice(0, 200) }, 'unparseable docker event');
            continue;
          }
          this.#queue.push(orderKeyOf(message), () =>
            this.#sync.handle(message).catch((error: unknown) => {
              const fields = { err: error, action: message.Action, type: message.Type, actor: message.Actor.ID };
              if (error instanceof DeadlineExceeded)
                this.#o.log.warn(fields, 'docker event skipped: the daemon did not answer');
              else this.#o.log.warn(fields, 'docker event handling failed');
            }),
          );
        }
      });
      stream.on('end', () => resolve());
      stream.on('close', () => resolve());
      stream.on('error', (error) => reject(error instanceof Error ? error : new Error(String(error))));
    }).finally(() => clearInterval(watchdog));
  }
}
