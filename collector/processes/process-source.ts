// The process source: every exec and exit on the host from the Linux proc connector (netlink, read
// on its own thread: proc-worker.ts), attributed to its container through /proc/<pid>/cgroup, with
// docker exec sessions and drift marked. Host processes update the caches but emit nothing: the
// union's process events belong to containers. Falls back to polling cgroup member lists where the
// connector is unavailable.
import type { Health } from '../../core/health.ts';
import type { Logger } from '../../core/logger.ts';
import { AwaitingContainers } from './awaiting-containers.ts';
import { attributeExec } from './exec-attribution.ts';
import { isInUpperLayer, type DriftPaths } from '../files/index.ts';
import type { ShipwatchEvent } from '../events.ts';
import { isExecRoot } from './exec-root.ts';
import { ExecSessions, type ExecSession } from './exec-sessions.ts';
import { refOf, type Inventory } from '../inventory.ts';
import { PidTable } from './pid-table.ts';
import { readingNow, type ExecReading, type FromProcThread } from './proc-messages.ts';
import { startProcThread, type ProcThread } from './proc-thread.ts';
import { ProcessPoller } from './process-poller.ts';
import { isRuncInit, readContainerId } from './proc-reader.ts';
import { readExecFds } from './exec-fds.ts';
import { execProgram } from './exec-program.ts';

export interface ProcessSourceOptions {
  inventory: Inventory;
  host: string;
  health: Health;
  log: Logger;
  emit: (event: ShipwatchEvent) => void;
  drift?: DriftPaths;
  /** `poll` forces the fallback (tests, kernels without the connector). */
  mode?: 'auto' | 'poll';
  pollIntervalMs?: number;
  /** Called with the delay from the kernel's exec to the event's emission, in ns (benchmarks). */
  onLatency?: (ns: bigint) => void;
}

/** Events of a container Docker has not described yet (its entrypoint runs before `start`) wait this long. */
const UNKNOWN_CONTAINER_WAIT_MS = 10_000;

export class ProcessSource {
  readonly #o: ProcessSourceOptions;
  readonly #pids = new PidTable();
  readonly #sessions = new ExecSessions();
  readonly #unknown: AwaitingContainers;
  #thread: ProcThread | null = null;
  #netlink = false;
  #poller: ProcessPoller | null = null;
  #ready: Promise<void> = Promise.resolve();
  /** Why the thread runs without the kernel's exec trace; null while it has it (or has not said). */
  #traceUnavailable: string | null = null;
  /**
   * Counters for /healthz details, logs, metrics and benchmarks. `lost`: events the kernel
   * numbered but never delivered (exact, from its sequence numbers); `overruns`: ENOBUFS reports;
   * `unread`: container execs whose program nobody could tell (gone before /proc, no trace).
   */
  readonly counts = { execs: 0, exits: 0, emitted: 0, overruns: 0, lost: 0, unread: 0 };

  constructor(options: ProcessSourceOptions) {
    this.#o = options;
    this.#unknown = new AwaitingContainers(UNKNOWN_CONTAINER_WAIT_MS, (containerId, dropped) =>
      this.#o.log.debug({ containerId, dropped }, 'process events of a container Docker never described'),
    );
  }

  get mode(): 'netlink' | 'poll' | 'stopped' {
    return this.#netlink ? 'netlink' : this.#poller ? 'poll' : 'stopped';
  }

  /** Starts the proc connector's thread, or polling; ready() says when events flow. */
  start(): void {
    if (this.#o.mode === 'poll') {
      this.#startPolling('polling requested');
      return;
    }
    this.#o.health.set('processes', 'starting', 'opening the proc connector');
    const thread = startProcThread((message) => this.#onThread(message));
    this.#thread = thread;
    this.#ready = thread.ready.then(
      () => {
        if (this.#thread !== thread) return;
        this.#netlink = true;
        const detail = this.#traceUnavailable === null ? 'proc connector and exec trace' : 'proc connector';
        this.#o.health.set('processes', 'up', detail);
        for (const info of this.#o.inventory.containers()) this.#tellUpperDir(info.id, info.upperDir);
      },
      (error: unknown) => {
        if (this.#thread !== thread) return;
        this.#thread = null;
        void thread.close();
        this.#startPolling(error instanceof Error ? error.message : String(error));
      },
    );
  }

  /** Resolves once exec events are being read (the proc connector subscribed, or polling started). */
  ready(): Promise<void> {
    return this.#ready;
  }

  #startPolling(reason: string): void {
    const intervalMs = this.#o.pollIntervalMs ?? 1000;
    const detail = `proc connector unavailable (${reason}): polling container cgroups every ${intervalMs} ms, shorter-lived processes are missed`;
    this.#o.health.set('processes', 'degraded', detail);
    this.#o.log.warn({ reason }, 'proc connector unavailable, polling container cgroups');
    this.#poller = new ProcessPoller({
      inventory: this.#o.inventory,
      intervalMs,
      onExec: (pid) => this.#exec(readingNow(pid)),
      onExit: (pid) => this.#exit(pid, null),
    });
    this.#poller.start();
  }

  stop(): void {
    const thread = this.#thread;
    this.#thread = null;
    this.#netlink = false;
    if (thread) void thread.close();
    this.#poller?.stop();
    this.#poller = null;
    this.#sessions.flushAll();
    this.#unknown.clear();
  }

  /** Bus subscriber: Docker's exec and container events feed the correlation. */
  readonly observe = (event: ShipwatchEvent): void => {
    if (event.kind === 'exec.started') {
      this.#sessions.execStarted(event.container.id, event.execId, event.argv, event.healthcheck);
    } else if (event.kind === 'container.started') {
      this.#tellUpperDir(event.container.id, event.info.upperDir);
      this.#unknown.release(event.container.id);
    } else if (event.kind === 'container.removed') {
      this.#tellUpperDir(event.container.id, null);
    }
  };

  /** The proc thread checks each exec against its container's writable layer the moment it reads it. */
  #tellUpperDir(containerId: string, upperDir: string | null | undefined): void {
    if (this.#netlink) this.#thread?.post({ t: 'upperDir', containerId, upperDir: upperDir ?? null });
  }

  #onThread(message: FromProcThread): void {
    switch (message.t) {
      case 'exec':
        this.#exec(message.reading);
        this.#o.onLatency?.(process.hrtime.bigint() - message.reading.timestampNs);
        return;
      case 'fork':
        this.#pids.fork(message.parentTgid, message.childPid, message.childTgid);
        return;
      case 'exit':
        this.#exit(message.tgid, message.exitCode);
        return;
      case 'lost':
      case 'error':
        this.#lost(message);
        return;
      case 'failed':
        // The thread died after it was up: keep seeing long-lived processes at least.
        this.#o.log.error({ reason: message.reason }, 'proc connector thread failed');
        this.#thread = null;
        this.#netlink = false;
        this.#startPolling(message.reason);
        return;
      case 'trace':
        this.#traceUnavailable = message.unavailable;
        if (message.unavailable)
          this.#o.log.warn(
            { reason: message.unavailable },
            'exec trace unavailable: a process that exits before /proc is read has no known program',
          );
        return;
      case 'ready':
        return;
      default: {
        const unhandled: never = message;
        throw new Error(`unhandled proc thread message ${JSON.stringify(unhandled)}`);
      }
    }
  }

  /** Sequence gaps count what the kernel dropped (ENOBUFS when we fell behind): say it, keep going. */
  #lost(message: { t: 'lost'; count: number } | { t: 'error'; code: string | undefined }): void {
    if (message.t === 'lost') this.counts.lost += message.count;
    else this.counts.overruns++;
    const { lost, overruns } = this.counts;
    this.#o.health.set('processes', 'degraded', `proc connector: ${lost} events lost (${overruns} overruns)`);
    if (lost + overruns === 1 || (lost + overruns) % 100 === 0)
      this.#o.log.warn({ lost, overruns }, 'proc connector lost events');
  }

  #exec(reading: ExecReading): void {
    this.counts.execs++;
    const { tgid, snap } = reading;
    const known = this.#pids.get(tgid);
    const { ppid, parentContainer, containerId, parentExe } = attributeExec(reading, known, this.#pids, this.#sessions);
    const uid = snap.uid ?? known?.uid ?? null;
    if (isRuncInit(snap.argv, parentExe)) {
      // runc's plumbing: no container activity, and never the session's root (exec-root.ts).
      this.#pids.set(tgid, { containerId, exe: snap.exe, ppid, uid, session: null, execed: true, runcInit: true });
      return;
    }
    let session = known?.session ?? null;
    const fromRuncInit = known?.runcInit === true;
    const info = containerId && !session ? this.#o.inventory.container(containerId) : undefined;
    const execRoot = containerId !== null && isExecRoot({ info, tgid, fromRuncInit, containerId, parentContainer });
    if (execRoot && containerId) session = this.#sessions.open(containerId, snap.argv);
    // For the root of a docker exec, Docker's argv is what runc executed; /proc may already
    // show the next image (sh execs its last command in place) or nothing (`docker exec c true`).
    const argv = execRoot ? (session?.argv ?? snap.argv) : snap.argv;
    const upperDir = containerId ? (this.#o.inventory.container(containerId)?.upperDir ?? null) : null;
    const { exe, executed, invokedAs } = execProgram(reading, argv, upperDir);
    this.#pids.set(tgid, { containerId, exe: exe || null, ppid, uid, session, execed: true });
    if (!containerId) return;
    if (exe === '') this.counts.unread++;
    // Read here, after the thread's snapshot: a reverse shell outlives its exec, its fds with it.
    const fds = readExecFds(tgid);
    const at = Date.now();
    // The writable layer at the exec decides (race-free); the inotify registry is the second signal.
    const drift = executed !== '' && this.#isDrift(reading, containerId, executed, upperDir);
    this.#dispatch(containerId, session, (container) => ({
      kind: 'process.exec',
      at,
      host: this.#o.host,
      container,
      process: {
        pid: tgid,
        ppid,
        uid: uid ?? -1,
        exe,
        argv,
        ...(invokedAs ? { invokedAs } : {}),
        parentExe,
        execId: session?.execId ?? null,
        healthcheck: session?.healthcheck ?? false,
        drift,
        complete: snap.exe !== null && snap.argv.length > 0,
        ...fds,
      },
    }));
  }

  #isDrift(reading: ExecReading, containerId: string, executed: string, upperDir: string | null): boolean {
    if (this.#o.drift?.has(containerId, executed)) return true;
    if (reading.upperLayer !== null) return reading.upperLayer;
    return upperDir ? isInUpperLayer(upperDir, executed) : false;
  }

  #exit(tgid: number, exitCode: number | null): void {
    this.counts.exits++;
    const entry = this.#pids.take(tgid);
    const containerId = entry?.containerId !== undefined ? entry.containerId : readContainerId(tgid);
    if (!containerId) return;
    const at = Date.now();
    this.#dispatch(containerId, entry?.session ?? null, (container) => ({
      kind: 'process.exit',
      at,
      host: this.#o.host,
      container,
      pid: tgid,
      exitCode,
    }));
  }

  /** Emits now, or once the exec session is resolved / the container is in the inventory. */
  #dispatch(
    containerId: string,
    session: ExecSession | null,
    build: (container: ReturnType<typeof refOf>) => ShipwatchEvent,
  ): void {
    const send = (): void => {
      const info = this.#o.inventory.container(containerId);
      if (!info) {
        this.#unknown.hold(containerId, send);
        return;
      }
      this.counts.emitted++;
      this.#o.emit(build(refOf(info)));
    };
    if (session?.pending) session.pending.push(send);
    else send();
  }
}
