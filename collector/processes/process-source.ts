// The process source: every exec and exit on the host from the Linux proc connector (netlink),
// attributed to its container through /proc/<pid>/cgroup, with docker exec sessions and drift
// marked. Host processes update the caches but emit nothing: the union's process events belong to
// containers. Falls back to polling cgroup member lists where the connector is unavailable.
import type { Health } from '../../core/health.ts';
import type { Logger } from '../../core/logger.ts';
import { AwaitingContainers } from './awaiting-containers.ts';
import type { DriftPaths } from '../files/index.ts';
import type { ShipwatchEvent } from '../events.ts';
import { ExecSessions, type ExecSession } from './exec-sessions.ts';
import { refOf, type Inventory } from '../inventory.ts';
import { PidTable } from './pid-table.ts';
import { openProcConnector, type ProcConnector } from './proc-connector.ts';
import { ProcessPoller } from './process-poller.ts';
import { readContainerId, readExe, snapshotProcess } from './proc-reader.ts';
import { readExecFds } from './exec-fds.ts';

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

/**
 * runc re-executes itself (from a memfd, so its exe reads as "/") as `runc init` inside the new
 * container's cgroup before it execs the real process: runtime plumbing, not container activity.
 */
export function isRuncInit(argv: string[], parentExe: string | null): boolean {
  return argv.length === 2 && argv[0] === 'runc' && argv[1] === 'init' && (parentExe?.endsWith('/runc') ?? false);
}

export class ProcessSource {
  readonly #o: ProcessSourceOptions;
  readonly #pids = new PidTable();
  readonly #sessions = new ExecSessions();
  readonly #unknown: AwaitingContainers;
  #socket: ProcConnector | null = null;
  #poller: ProcessPoller | null = null;
  /** Counters for /healthz details, logs and benchmarks. */
  readonly counts = { execs: 0, exits: 0, emitted: 0, overruns: 0 };

  constructor(options: ProcessSourceOptions) {
    this.#o = options;
    this.#unknown = new AwaitingContainers(UNKNOWN_CONTAINER_WAIT_MS, (containerId, dropped) =>
      this.#o.log.debug({ containerId, dropped }, 'process events of a container Docker never described'),
    );
  }

  get mode(): 'netlink' | 'poll' | 'stopped' {
    return this.#socket ? 'netlink' : this.#poller ? 'poll' : 'stopped';
  }

  start(): void {
    let reason = 'polling requested';
    if (this.#o.mode !== 'poll') {
      try {
        this.#openSocket();
        this.#o.health.set('processes', 'up', 'proc connector');
        return;
      } catch (error) {
        reason = error instanceof Error ? error.message : String(error);
      }
    }
    const intervalMs = this.#o.pollIntervalMs ?? 1000;
    const detail = `proc connector unavailable (${reason}): polling container cgroups every ${intervalMs} ms, shorter-lived processes are missed`;
    this.#o.health.set('processes', 'degraded', detail);
    this.#o.log.warn({ reason }, 'proc connector unavailable, polling container cgroups');
    this.#poller = new ProcessPoller({
      inventory: this.#o.inventory,
      intervalMs,
      onExec: (pid) => this.#exec(pid),
      onExit: (pid) => this.#exit(pid, null),
    });
    this.#poller.start();
  }

  stop(): void {
    this.#socket?.close();
    this.#socket = null;
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
      this.#unknown.release(event.container.id);
    }
  };

  #openSocket(): void {
    this.#socket = openProcConnector({
      exec: (tgid, timestampNs) => {
        this.#exec(tgid);
        this.#o.onLatency?.(process.hrtime.bigint() - timestampNs);
      },
      fork: (parentTgid, childPid, childTgid) => this.#pids.fork(parentTgid, childPid, childTgid),
      exit: (tgid, exitCode) => this.#exit(tgid, exitCode),
      error: (code) => {
        // The kernel dropped events (ENOBUFS): count it, say it, keep going.
        this.counts.overruns++;
        this.#o.health.set('processes', 'degraded', `proc connector: ${code} (${this.counts.overruns} overruns)`);
        if (this.counts.overruns === 1 || this.counts.overruns % 100 === 0)
          this.#o.log.warn({ code, overruns: this.counts.overruns }, 'proc connector error');
      },
    });
  }

  /**
   * A child of runc gone before /proc could be read (`docker exec c true` lives microseconds) and
   * whose parent's cgroup is gone too: the exec Docker announced and nobody claimed is its origin.
   */
  #orphanOfRunc(ppid: number): string | null {
    const parentExe = this.#pids.get(ppid)?.exe ?? readExe(ppid);
    const runc = parentExe === '/' || (parentExe?.endsWith('/runc') ?? false);
    return runc ? this.#sessions.unclaimedContainer() : null;
  }

  #exec(tgid: number): void {
    this.counts.execs++;
    const snap = snapshotProcess(tgid);
    const known = this.#pids.get(tgid);
    const ppid = snap.ppid ?? known?.ppid ?? 0;
    const parentContainer = ppid > 0 ? this.#pids.containerOf(ppid) : null;
    // Gone already: the parent's cgroup now (runc's init joins the container's cgroup after its
    // own exec was cached as a host process), else what the child inherited at fork.
    const containerId =
      snap.containerId !== undefined
        ? snap.containerId
        : (readContainerId(ppid) ?? known?.containerId ?? parentContainer ?? this.#orphanOfRunc(ppid));
    const parentExe = this.#pids.get(ppid)?.exe ?? readExe(ppid);
    let session = known?.session ?? null;
    let execRoot = false;
    if (containerId && !session) {
      const info = this.#o.inventory.container(containerId);
      // A parent outside the container (runc, containerd-shim, or runc's short-lived
      // intermediate already gone) and not the init of a running container: a `docker exec` root.
      // While a container is starting its pid is still 0 in the inventory: that is the entrypoint.
      execRoot =
        info !== undefined &&
        info.state === 'running' &&
        info.pid > 0 &&
        info.pid !== tgid &&
        parentContainer !== containerId;
      if (execRoot) session = this.#sessions.open(containerId, snap.argv);
    }
    const uid = snap.uid ?? known?.uid ?? null;
    this.#pids.set(tgid, { containerId, exe: snap.exe, ppid, uid, session });
    if (!containerId || isRuncInit(snap.argv, parentExe)) return;
    const fds = readExecFds(tgid);
    const at = Date.now();
    const exe = snap.exe ?? '';
    // For the root of a docker exec, Docker's argv is what runc executed; /proc may already
    // show the next image (sh execs its last command in place) or nothing (`docker exec c true`).
    const argv = execRoot ? (session?.argv ?? snap.argv) : snap.argv;
    // Gone before its exe could be read: an absolute argv[0] names the file that was executed.
    const executed = exe !== '' ? exe : argv[0]?.startsWith('/') ? argv[0] : '';
    const drift = executed !== '' && (this.#o.drift?.has(containerId, executed) ?? false);
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
        parentExe,
        execId: session?.execId ?? null,
        healthcheck: session?.healthcheck ?? false,
        drift,
        complete: snap.exe !== null && snap.argv.length > 0,
        ...fds,
      },
    }));
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
