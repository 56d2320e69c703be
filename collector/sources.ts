// Every source, built and run in one place: Docker (inventory and events), packets from the
// bridges into flows, processes, files and stats. One Docker client serves them all. The sources
// follow the inventory through the event stream (a network created is a bridge to capture, a
// container started is an upper directory to watch) and hand everything on as events through
// `emit`; they decide nothing. Counters leave through narrow callbacks, never a metrics registry:
// collector/ knows no wiring.
import type Docker from 'dockerode';
import { performance } from 'node:perf_hooks';
import type { Health } from '../core/health.ts';
import type { Logger } from '../core/logger.ts';
import { DockerSource } from './docker/index.ts';
import type { ContainerRef, ShipwatchEvent } from './events.ts';
import { DriftPaths, FileSource } from './files/index.ts';
import { inventoryAttributor, PacketProcessor, type FlowTable, type RemoteServices } from './flows/index.ts';
import type { Inventory } from './inventory.ts';
import { LivePackets } from './packets/index.ts';
import { ProcessSource } from './processes/index.ts';
import { StatsCollector } from './stats/index.ts';

/** Flows time out and counters are reported on this period. */
const TICK_MS = 1000;
const SWEEP_TURN_MS = 10;

export interface SourcesOptions {
  docker: Docker;
  /** As the user gave it, for health details. */
  dockerHost: string;
  /** Host name in every event. */
  host: string;
  inventory: Inventory;
  /** network name → zone, for networks without a shipwatch.zone label. */
  zoneMapping: Readonly<Record<string, string>>;
  interfaces: 'auto' | readonly string[];
  snaplen: number;
  maxFlows: number;
  statsIntervalMs: number;
  health: Health;
  log: Logger;
  emit: (event: ShipwatchEvent) => void;
  subscribe: (listener: (event: ShipwatchEvent) => void) => void;
  /** A bridge's capture is running. */
  onCaptureAttached?: (iface: string) => void;
  /** Packets captured and newly dropped by the kernel, per interface. */
  onCaptureCounts?: (iface: string, captured: number, dropped: number) => void;
  /**
   * After each tick's sweep and at stop: the flow table's counts can be drained. With `stop`, the
   * drain may end when it says the turn is over and return false: it is called again for the rest.
   */
  onFlowTick?: (flows: FlowTable, stop?: () => boolean) => boolean;
  /** Which resolvers' answers may name addresses for a container (packets/dns-trust.ts). */
  trustResolver?: (client: ContainerRef, server: string) => boolean;
  /** Ports other hosts of the fleet publish, by address: names a flow's remote end (fleet only). */
  remoteServices?: RemoteServices;
  now?: () => number;
}

export class Sources {
  readonly docker: DockerSource;
  readonly packets: LivePackets;
  /** Decode, flows and DNS names of live packets. */
  readonly flows: PacketProcessor;
  readonly processes: ProcessSource;
  readonly files: FileSource;
  readonly stats: StatsCollector;
  readonly #o: SourcesOptions;
  readonly #now: () => number;
  #tick: NodeJS.Timeout | null = null;
  #flowSecondPending = false;
  #reportedMalformed = 0;

  constructor(o: SourcesOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    const { inventory, host, health, log, emit } = o;
    this.docker = new DockerSource({
      docker: o.docker,
      dockerHost: o.dockerHost,
      inventory,
      host,
      zoneMapping: o.zoneMapping,
      health,
      log,
      emit,
    });
    this.flows = new PacketProcessor({
      host,
      maxFlows: o.maxFlows,
      attributor: inventoryAttributor(inventory, undefined, o.remoteServices ?? null),
      emit,
      ...(o.trustResolver ? { trustResolver: o.trustResolver } : {}),
    });
    this.packets = new LivePackets({
      interfaces: o.interfaces,
      snaplen: o.snaplen,
      inventory,
      health,
      log,
      deliver: (network, buf, caplen, linkType, at) => this.flows.handle(network, buf, caplen, linkType, at),
      onAttached: o.onCaptureAttached,
      onCounts: o.onCaptureCounts,
      now: this.#now,
    });
    // Processes and files share the drift registry (paths each container wrote since it started),
    // so an exec of a dropped file is marked `drift: true` on its process.exec event.
    const drift = new DriftPaths();
    const common = { inventory, host, health, emit, drift };
    this.processes = new ProcessSource({ ...common, log: log.child({ source: 'processes' }) });
    this.files = new FileSource({ ...common, docker: o.docker, log: log.child({ source: 'files' }) });
    this.stats = new StatsCollector({
      inventory,
      docker: o.docker,
      host,
      intervalMs: o.statsIntervalMs,
      health,
      log,
      emit,
    });
    o.subscribe(this.processes.observe);
    o.subscribe(this.files.observe);
    o.subscribe((event) => {
      if (event.kind === 'network.created' || event.kind === 'network.removed') this.packets.sync();
      if (event.kind === 'process.exec' || event.kind === 'process.exit' || event.kind === 'file.changed')
        log.debug({ event }, event.kind);
    });
  }

  start(): void {
    this.docker.start();
    this.stats.start();
    this.packets.start();
    this.processes.start();
    this.files.start();
    this.#tick = setInterval(() => this.#onTick(), TICK_MS).unref();
  }

  /** Stops in the reverse order of the data: captures first (their last packets still become flows). */
  async stop(
    step: (name: string, run: () => unknown) => Promise<void> = async (_, run) => void (await run()),
  ): Promise<void> {
    if (this.#tick) clearInterval(this.#tick);
    await step('capture', async () => {
      await this.packets.stop();
      this.flows.flows.flush(this.#now());
      this.#o.onFlowTick?.(this.flows.flows);
    });
    await step('stats', () => this.stats.stop());
    await step('activity', () => {
      this.processes.stop();
      this.files.stop();
    });
    await step('docker', () => this.docker.stop());
  }

  #onTick(): void {
    if (!this.#flowSecondPending) this.#flowSecond(this.#now(), false);
    this.packets.report();
    const malformed = this.flows.counts.malformed;
    if (malformed > this.#reportedMalformed) {
      this.#o.log.debug({ malformed, new: malformed - this.#reportedMalformed }, 'malformed packets skipped');
      this.#reportedMalformed = malformed;
    }
  }

  /**
   * The flow table's sweep and then its counts' drain, in turns of at most SWEEP_TURN_MS with other
   * I/O served between them: a flood's 100 000 flows timing out together are seconds of flow.end
   * work, and draining 100 000 flows' counts is tens of milliseconds.
   */
  #flowSecond(now: number, swept: boolean): void {
    const turnEnds = performance.now() + SWEEP_TURN_MS;
    const stop = () => performance.now() >= turnEnds;
    const flows = this.flows.flows;
    if (!swept) swept = flows.sweep(now, stop);
    const done = swept && (this.#o.onFlowTick?.(flows, stop) ?? true);
    this.#flowSecondPending = !done;
    if (!done) setImmediate(() => this.#flowSecond(now, swept)).unref();
  }
}
