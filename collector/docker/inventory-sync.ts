// Keeps the inventory in line with the daemon: a full resync after every (re)connection, and each
// event message of the stream turned into an inventory update plus the events of the union it
// means (container.started, network.connected, exec.started…). The connection itself, with its
// backoff and watchdog, is docker-source.ts's.
import type Docker from 'dockerode';
import type { Logger } from '../../core/logger.ts';
import type { ShipwatchEvent } from '../events.ts';
import { refOf, type Inventory } from '../inventory.ts';
import type { ContainerInfo } from '../inventory-types.ts';
import { readDaemonPosture } from './daemon-posture.ts';
import { withDeadline } from './deadline.ts';
import { containerFromInspect, networkFromInspect, splitAction, type DockerEventMessage } from './docker-mapping.ts';

const INSPECT_CONCURRENCY = 8;
/**
 * An inspect made for an event gives up after this: one call the daemon never answers must not
 * hold up every later event of its container. Under the churn of test/integration/
 * docker-event-lag.test.ts a whole exec (the CLI, the event, the inspects, the alert) takes at
 * most about a second on 2 busy cores; five seconds is past anything but a wedged daemon. (The
 * resync's inspects have none: a slow daemon must not make the resync fail over and over.)
 */
export const EVENT_INSPECT_TIMEOUT_MS = 5000;

export interface InventorySyncOptions {
  docker: Docker;
  dockerHost: string;
  inventory: Inventory;
  host: string;
  zoneMapping: Readonly<Record<string, string>>;
  log: Logger;
  emit: (event: ShipwatchEvent) => void;
  now: () => number;
  /** EVENT_INSPECT_TIMEOUT_MS unless a test says otherwise. */
  eventInspectTimeoutMs?: number;
}

export class InventorySync {
  readonly #o: InventorySyncOptions;
  readonly #timeoutMs: number;

  constructor(options: InventorySyncOptions) {
    this.#o = options;
    this.#timeoutMs = options.eventInspectTimeoutMs ?? EVENT_INSPECT_TIMEOUT_MS;
  }

  /** Events' calls end at the deadline with DeadlineExceeded (the caller logs and skips the event). */
  #inTime<T>(what: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return withDeadline(what, this.#timeoutMs, call);
  }

  /** `timed`: an inspect for an event, with its deadline; the resync's have none. */
  async #inspectContainer(id: string, timed = true): Promise<ContainerInfo | null> {
    try {
      const container = this.#o.docker.getContainer(id);
      const inspect = timed
        ? await this.#inTime(`inspect of container ${id.slice(0, 12)}`, (abortSignal) =>
            container.inspect({ abortSignal }),
          )
        : await container.inspect();
      return containerFromInspect(inspect);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return null;
      throw error;
    }
  }

  /**
   * The container as the daemon has it now, into the inventory. Gone already (`docker rm -f`
   * destroys it before the agent's inspect for the `die` arrives): removed from the inventory with
   * its container.removed here, since its destroy event will then find nothing to remove.
   */
  async #refreshContainer(id: string, at: number): Promise<ContainerInfo | null> {
    const info = await this.#inspectContainer(id);
    if (info) this.#o.inventory.upsertContainer(info);
    else this.#gone(id, at);
    return info;
  }

  #gone(id: string, at: number): void {
    const previous = this.#o.inventory.removeContainer(id);
    if (previous) this.#emitContainer('container.removed', previous, at);
  }

  #emitContainer(
    kind: 'container.paused' | 'container.unpaused' | 'container.removed',
    info: ContainerInfo,
    at: number,
  ): void {
    this.#o.emit({ kind, at, host: this.#o.host, container: refOf(info) });
  }

  async handle(message: DockerEventMessage): Promise<void> {
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
        const info = await this.#refreshContainer(id, at);
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
        // Stopped, then (when the inspect finds it gone) removed: in that order.
        const known = this.#o.inventory.container(id);
        const info = await this.#inspectContainer(id);
        if (info) this.#o.inventory.upsertContainer(info);
        const exitCode = attributes.exitCode !== undefined ? Number(attributes.exitCode) : null;
        const stopped = info ?? known;
        if (stopped) this.#o.emit({ kind: 'container.stopped', at, host, container: refOf(stopped), exitCode });
        if (!info) this.#gone(id, at);
        return;
      }
      case 'destroy':
        this.#gone(id, at);
        return;
      case 'pause':
      case 'unpause': {
        const info = await this.#refreshContainer(id, at);
        if (info) this.#emitContainer(action === 'pause' ? 'container.paused' : 'container.unpaused', info, at);
        return;
      }
      case 'rename':
      case 'update':
        await this.#refreshContainer(id, at);
        return;
      case 'exec_start':
        await this.#handleExecStart(id, attributes.execID ?? null, detail, at);
        return;
      default:
        return;
    }
  }

  async #handleExecStart(containerId: string, execId: string | null, command: string, at: number): Promise<void> {
    const info = this.#o.inventory.container(containerId) ?? (await this.#refreshContainer(containerId, at));
    if (!info) return;
    let argv = command ? command.split(' ') : [];
    let user = '';
    let tty = false;
    if (execId) {
      try {
        const exec = (await this.#inTime(`inspect of exec ${execId.slice(0, 12)}`, (abortSignal) =>
          this.#o.docker.getExec(execId).inspect({ abortSignal }),
        )) as {
          ProcessConfig?: { entrypoint?: string; arguments?: string[]; user?: string; tty?: boolean };
        };
        const pc = exec.ProcessConfig;
        if (pc?.entrypoint) argv = [pc.entrypoint, ...(pc.arguments ?? [])];
        user = pc?.user ?? '';
        tty = pc?.tty === true;
      } catch {
        // The exec may be gone already, or the daemon slow to say: the event's own command line
        // is the fallback (the alert matters more than its argv's exact split).
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
        // dockerode's network inspect takes no AbortSignal: the deadline only stops the waiting.
        const inspect = await this.#inTime(`inspect of network ${networkId.slice(0, 12)}`, () =>
          this.#o.docker.getNetwork(networkId).inspect(),
        );
        const network = networkFromInspect(inspect, this.#o.zoneMapping);
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
        // `docker rm -f` disconnects and destroys before the inspect is answered: the disconnect
        // is still said, then the removal.
        const before = this.#o.inventory.container(containerId);
        const info = await this.#inspectContainer(containerId);
        if (info) this.#o.inventory.upsertContainer(info);
        const known = info ?? before;
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
        if (!info) this.#gone(containerId, at);
        return;
      }
      default:
        return;
    }
  }

  /** Brings the inventory in line with the daemon and emits what changed while we were not looking. */
  async resync(): Promise<void> {
    const { docker, inventory, host } = this.#o;
    const at = this.#o.now();
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
      const batch = summaries.slice(i, i + INSPECT_CONCURRENCY).map((s) => this.#inspectContainer(s.Id, false));
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

  async emitPosture(): Promise<void> {
    try {
      const posture = await readDaemonPosture(this.#o.docker, this.#o.dockerHost);
      this.#o.emit({ kind: 'daemon.posture', at: this.#o.now(), host: this.#o.host, posture });
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
