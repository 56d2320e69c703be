// The process source: every exec and exit on the host from the Linux proc connector (netlink),
// attributed to its container through /proc/<pid>/cgroup, with docker exec sessions and drift
// marked. Host processes update the caches but emit nothing: the union's process events belong to
// containers. Falls back to polling cgroup member lists where the connector is unavailable.
import { RawNetlinkSocket } from 'netlink';
import type { Health } from '../agent/health.ts';
import type { Logger } from '../agent/logger.ts';
import type { DriftPaths } from './drift-paths.ts';
import type { ShipwatchEvent } from './events.ts';
import { ExecSessions, type ExecSession } from './exec-sessions.ts';
import { refOf, type Inventory } from './inventory.ts';
import { CN_IDX_PROC, NETLINK_CONNECTOR, exitCodeOf, listenRequest, parseProcMessages } from './proc-event.ts';
import { ProcessPoller } from './process-poller.ts';
import { readContainerId, readExe, snapshotProcess } from './proc-reader.ts';

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

/** Pids remembered for parent lookups; a busy host reuses pids long before this fills. */
const MAX_PIDS = 65_536;
/** Events of a container Docker has not described yet (its entrypoint runs before `start`) wait this long. */
const UNKNOWN_CONTAINER_WAIT_MS = 10_000;
/** 4 MiB of socket buffer holds ~50k proc events: a fork storm's burst while the loop is busy. */
const RECV_BUFFER_BYTES = 4 << 20;

interface PidEntry {
  /** undefined: not known yet (inherited lazily from the parent at fork). */
  containerId: string | null | undefined;
  exe: string | null;
  ppid: number;
  uid: number | null;
  session: ExecSession | null;
}

/**
 * runc re-executes itself (from a memfd, so its exe reads as "/") as `runc init` inside the new
 * container's cgroup before it execs the real process: runtime plumbing, not container activity.
 */
export function isRuncInit(argv: string[], parentExe: string | null): boolean {
  return argv.length === 2 && argv[0] === 'runc' && argv[1] === 'init' && (parentExe?.endsWith('/runc') ?? false);
}

export class ProcessSource {
  readonly #o: ProcessSourceOptions;
  readonly #pids = new Map<number, PidEntry>();
  readonly #sessions = new ExecSessions();
  readonly #unknown = new Map<string, { sends: (() => void)[]; timer: NodeJS.Timeout }>();
  #socket: RawNetlinkSocket | null = null;
  #poller: ProcessPoller | null = null;
  /** Counters for /healthz details, logs and benchmarks. */
  readonly counts = { execs: 0, exits: 0, emitted: 0, overruns: 0 };

  constructor(options: ProcessSourceOptions) {
    this.#o = options;
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
    for (const { timer } of this.#unknown.values()) clearTimeout(timer);
    this.#unknown.clear();
  }

  /** Bus subscriber: Docker's exec and container events feed the correlation. */
  readonly observe = (event: ShipwatchEvent): void => {
    if (event.kind === 'exec.started') {
      this.#sessions.execStarted(event.container.id, event.execId, event.argv, event.healthcheck);
    } else if (event.kind === 'container.started') {
      const waiting = this.#unknown.get(event.container.id);
      if (!waiting) return;
      clearTimeout(waiting.timer);
      this.#unknown.delete(event.container.id);
      for (const send of waiting.sends) send();
    }
  };

  #openSocket(): void {
    const socket = new RawNetlinkSocket(NETLINK_CONNECTOR, {
      localGroups: CN_IDX_PROC,
      recvBufferSize: RECV_BUFFER_BYTES,
      sendBufferSize: 65_536,
    });
    socket.on('message', (datagram) => {
      for (const event of parseProcMessages(datagram)) {
        if (event.what === 'exec') {
          this.#exec(event.tgid);
          this.#o.onLatency?.(process.hrtime.bigint() - event.timestampNs);
        } else if (event.what === 'fork') this.#fork(event.parentTgid, event.childPid, event.childTgid);
        else if (event.what === 'exit' && event.pid === event.tgid) this.#exit(event.tgid, exitCodeOf(event.exitCode));
      }
    });
    socket.on('error', (error) => {
      // ENOBUFS: the kernel dropped events because we fell behind. Count it, say it, keep going.
      this.counts.overruns++;
      this.#o.health.set('processes', 'degraded', `proc connector: ${error.code} (${this.counts.overruns} overruns)`);
      if (this.counts.overruns === 1 || this.counts.overruns % 100 === 0)
        this.#o.log.warn({ code: error.code, overruns: this.counts.overruns }, 'proc connector error');
    });
    socket.send(listenRequest(socket.address().port));
    this.#socket = socket;
  }

  #remember(pid: number, entry: PidEntry): void {
    this.#pids.delete(pid);
    this.#pids.set(pid, entry);
    if (this.#pids.size > MAX_PIDS) {
      const oldest = this.#pids.keys().next().value;
      if (oldest !== undefined) this.#pids.delete(oldest);
    }
  }

  #fork(parentTgid: number, childPid: number, childTgid: number): void {
    if (childPid !== childTgid) return; // a new thread, not a process
    const parent = this.#pids.get(parentTgid);
    this.#remember(childTgid, {
      containerId: parent?.containerId,
      exe: parent?.exe ?? null,
      ppid: parentTgid,
      uid: parent?.uid ?? null,
      session: parent?.session ?? null,
    });
  }

  #containerOf(pid: number): string | null | undefined {
    const known = this.#pids.get(pid)?.containerId;
    return known !== undefined ? known : readContainerId(pid);
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
    const parentContainer = ppid > 0 ? this.#containerOf(ppid) : null;
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
    this.#remember(tgid, { containerId, exe: snap.exe, ppid, uid, session });
    if (!containerId || isRuncInit(snap.argv, parentExe)) return;
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
      },
    }));
  }

  #exit(tgid: number, exitCode: number | null): void {
    this.counts.exits++;
    const entry = this.#pids.get(tgid);
    this.#pids.delete(tgid);
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
        this.#waitForContainer(containerId, send);
        return;
      }
      this.counts.emitted++;
      this.#o.emit(build(refOf(info)));
    };
    if (session?.pending) session.pending.push(send);
    else send();
  }

  #waitForContainer(containerId: string, send: () => void): void {
    const waiting = this.#unknown.get(containerId);
    if (waiting) {
      waiting.sends.push(send);
      return;
    }
    const timer = setTimeout(() => {
      const dropped = this.#unknown.get(containerId)?.sends.length ?? 0;
      this.#unknown.delete(containerId);
      this.#o.log.debug({ containerId, dropped }, 'process events of a container Docker never described');
    }, UNKNOWN_CONTAINER_WAIT_MS);
    timer.unref();
    this.#unknown.set(containerId, { sends: [send], timer });
  }
}
