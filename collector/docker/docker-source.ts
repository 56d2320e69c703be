// The Docker source: keeps the inventory current from list+inspect and the event stream, and
// turns Docker's events into events of the union. Reconnects with backoff when the daemon goes
// away and resyncs in full afterwards, so containers that started or died meanwhile are not missed.
import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Health } from '../../core/health.ts';
import type { Logger } from '../../core/logger.ts';
import { containerFromInspect, networkFromInspect, splitAction, type DockerEventMessage } from './docker-mapping.ts';
import { readDaemonPosture } from './daemon-posture.ts';
import type { ShipwatchEvent } from '../events.ts';
import { refOf, type Inventory } from '../inventory.ts';
import type { ContainerInfo } from '../inventory-types.ts';
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
}

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 30_000;
const INSPECT_CONCURRENCY = 8;
const LIVENESS_INTERVAL_MS = 2000;
const PING_TIMEOUT_MS = 5000;

export class DockerSource {
  readonly #o: DockerSourceOptions;
  readonly #now: () => number;
  readonly #abort = new AbortController();
  #loop: Promise<void> | null = null;
  #stream: Readable | null = null;
  /** Messages are handled one after another, in the daemon's order. */
  #queue: Promise<void> = Promise.resolve();
  #connected = false;
  #firstSync: Promise<void>;
  #resolveFirstSync!: () => void;
  /** Reconnections after the first connection, for the metric and tests. */
  reconnects = 0;

  constructor(options: DockerSourceOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
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
    await this.#queue;
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
        await this.#resync();
        await this.#emitPosture();
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
        const timeout = new Promise<never>((_, fail) =>
          setTimeout(() => fail(new Error(`no answer to ping within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS).unref(),
        );
        Promise.race([this.#o.docker.ping(), timeout]).catch((error: unknown) => {
          reject(error instanceof Error ? error : new Error(String(error)));
        });
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
          this.#queue = this.#queue
            .then(() => this.#handle(message))
            .catch((error: unknown) => {
              this.#o.log.warn(
                { err: error, action: message.Action, type: message.Type },
                'docker event handling failed',
              );
            });
        }
      });
      stream.on('end', () => resolve());
      stream.on('close', () => resolve());
      stream.on('error', (error) => reject(error instanceof Error ? error : new Error(String(error))));
    }).finally(() => clearInterval(watchdog));
  }

  async #inspectContainer(id: string): Promise<ContainerInfo | null> {
    try {
      const info = containerFromInspect(await this.#o.docker.getContainer(id).inspect());
      return info;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return null;
      throw error;
    }
  }

  async #refreshContainer(id: string): Promise<ContainerInfo | null> {
    const info = await this.#inspectContainer(id);
    if (info) this.#o.inventory.upsertContainer(info);
    else this.#o.inventory.removeContainer(id);
    return info;
  }

  #emitContainer(
    kind: 'container.paused' | 'container.unpaused' | 'container.removed',
    info: ContainerInfo,
    at: number,
  ): void {
    this.#o.emit({ kind, at, host: this.#o.host, container: refOf(info) });
  }

  async #handle(message: DockerEventMessage): Promise<void> {
    const at = message.timeNano ? Math.floor(message.timeNano / 1e6) : message.time * 1000;
    const host = this.#o.host;
    const { action, detail } = splitAction(message.Action);
    const attributes = message.Actor.Attributes ?? {};
    if (message.Type === 'network') {
      await this.#handleNetwork(action, message.Actor.ID, attributes, at);
      return;
    }
    if (message.Type !== 'container') return;
    const id = message.Actor.ID;
    switch (action) {
      case 'create':
      case 'start': {
        const info = await this.#refreshContainer(id);
        if (info)
          this.#o.emit({
            kind: action === 'create' ? 'container.created' : 'container.started',
            at,
            host,
            container: refOf(info),
            info,
          });
        return;
      }
      case 'die': {
        const info = await this.#refreshContainer(id);
        const known = info ?? this.#o.inventory.container(id);
        const exitCode = attributes.exitCode !== undefined ? Number(attributes.exitCode) : null;
        if (known) this.#o.emit({ kind: 'container.stopped', at, host, container: refOf(known), exitCode });
        return;
      }
      case 'destroy': {
        const previous = this.#o.inventory.removeContainer(id);
        if (previous) this.#emitContainer('container.removed', previous, at);
        return;
      }
      case 'pause':
      case 'unpause': {
        const info = await this.#refreshContainer(id);
        if (info) this.#emitContainer(action === 'pause' ? 'container.paused' : 'container.unpaused', info, at);
        return;
      }
      case 'rename':
      case 'update':
        await this.#refreshContainer(id);
        return;
      case 'exec_start':
        await this.#handleExecStart(id, attributes.execID ?? null, detail, at);
        return;
      default:
        return;
    }
  }

  async #handleExecStart(containerId: string, execId: string | null, command: string, at: number): Promise<void> {
    const info = this.#o.inventory.container(containerId) ?? (await this.#refreshContainer(containerId));
    if (!info) return;
    let argv = command ? command.split(' ') : [];
    let user = '';
    let tty = false;
    if (execId) {
      try {
        const exec = (await this.#o.docker.getExec(execId).inspect()) as {
          ProcessConfig?: { entrypoint?: string; arguments?: string[]; user?: string; tty?: boolean };
        };
        const pc = exec.ProcessConfig;
        if (pc?.entrypoint) argv = [pc.entrypoint, ...(pc.arguments ?? [])];
        user = pc?.user ?? '';
        tty = pc?.tty === true;
      } catch {
        // The exec may be gone already; the event's own command line is the fallback.
      }
    }
    this.#o.emit({
      kind: 'exec.started',
      at,
      host: this.#o.host,
      container: refOf(info),
      execId: execId ?? '',
      argv,
      user,
      tty,
      healthcheck: isHealthcheck(info, argv),
    });
  }

  async #handleNetwork(
    action: string,
    networkId: string,
    attributes: Record<string, string>,
    at: number,
  ): Promise<void> {
    const host = this.#o.host;
    switch (action) {
      case 'create': {
        const network = networkFromInspect(await this.#o.docker.getNetwork(networkId).inspect(), this.#o.zoneMapping);
        this.#o.inventory.upsertNetwork(network);
        this.#o.emit({ kind: 'network.created', at, host, network });
        return;
      }
      case 'destroy': {
        const previous = this.#o.inventory.removeNetwork(networkId);
        if (previous) this.#o.emit({ kind: 'network.removed', at, host, network: previous });
        return;
      }
      case 'connect':
      case 'disconnect': {
        const containerId = attributes.container;
        if (!containerId) return;
        const info = await this.#refreshContainer(containerId);
        const known = info ?? this.#o.inventory.container(containerId);
        const network = attributes.name ?? this.#o.inventory.network(networkId)?.name ?? networkId;
        if (known) {
          this.#o.emit({
            kind: action === 'connect' ? 'network.connected' : 'network.disconnected',
            at,
            host,
            container: refOf(known),
            network,
          });
        }
        return;
      }
      default:
        return;
    }
  }

  /** Brings the inventory in line with the daemon and emits what changed while we were not looking. */
  async #resync(): Promise<void> {
    const { docker, inventory, host } = this.#o;
    const at = this.#now();
    const networks = (await docker.listNetworks()).map((n) => networkFromInspect(n, this.#o.zoneMapping));
    const liveNetworkIds = new Set(networks.map((n) => n.id));
    for (const previous of inventory.networks()) {
      if (!liveNetworkIds.has(previous.id)) {
        inventory.removeNetwork(previous.id);
        this.#o.emit({ kind: 'network.removed', at, host, network: previous });
      }
    }
    for (const network of networks) {
      if (!inventory.upsertNetwork(network)) this.#o.emit({ kind: 'network.created', at, host, network });
    }

    const summaries = await docker.listContainers({ all: true });
    const infos: ContainerInfo[] = [];
    for (let i = 0; i < summaries.length; i += INSPECT_CONCURRENCY) {
      const batch = summaries.slice(i, i + INSPECT_CONCURRENCY).map((s) => this.#inspectContainer(s.Id));
      for (const info of await Promise.all(batch)) if (info) infos.push(info);
    }
    const liveIds = new Set(infos.map((c) => c.id));
    for (const previous of inventory.containers()) {
      if (liveIds.has(previous.id)) continue;
      inventory.removeContainer(previous.id);
      if (previous.state === 'running')
        this.#o.emit({ kind: 'container.stopped', at, host, container: refOf(previous), exitCode: null });
      this.#emitContainer('container.removed', previous, at);
    }
    for (const info of infos) {
      const previous = inventory.upsertContainer(info);
      const wasRunning = previous?.state === 'running' || previous?.state === 'paused';
      const isRunning = info.state === 'running' || info.state === 'paused';
      const restarted = previous !== undefined && previous.startedAt !== info.startedAt;
      if (isRunning && (!wasRunning || restarted)) {
        this.#o.emit({ kind: 'container.started', at: info.startedAt || at, host, container: refOf(info), info });
      } else if (!isRunning && wasRunning) {
        this.#o.emit({ kind: 'container.stopped', at, host, container: refOf(info), exitCode: null });
      }
    }
  }

  async #emitPosture(): Promise<void> {
    try {
      const posture = await readDaemonPosture(this.#o.docker, this.#o.dockerHost);
      this.#o.emit({ kind: 'daemon.posture', at: this.#now(), host: this.#o.host, posture });
    } catch (error) {
      this.#o.log.warn({ err: error }, 'cannot read the daemon posture');
    }
  }
}

/** Docker runs a container's healthcheck through exec: recognise it by its command line. */
export function isHealthcheck(info: ContainerInfo, argv: string[]): boolean {
  const test = info.healthcheck;
  if (!test || test.length < 2) return false;
  const [mode, ...rest] = test;
  const expected = mode === 'CMD-SHELL' ? ['/bin/sh', '-c', rest.join(' ')] : rest;
  return expected.length === argv.length && expected.every((part, i) => part === argv[i]);
}
