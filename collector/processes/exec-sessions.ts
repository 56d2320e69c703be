// Ties processes to the `docker exec` that started them. A process whose parent lives outside its
// container (runc / containerd-shim) and that is not the container's init is the root of an exec
// session; Docker's exec_start event for the same container (normally with the same argv) names
// it. Docker logs exec_start before runc starts the process, but the Docker source inspects the
// exec before emitting, so either may arrive first: a session waits up to AWAIT_MS for its
// exec.started and holds its processes' events meanwhile, so no event leaves without its execId.
// An exec.started that comes after its session gave up is consumed by that session: left waiting,
// it would name the container's *next* exec (wrong id, wrong argv) — a flake seen under load.

/**
 * How long a new exec session waits for Docker's exec.started before its events go out without.
 * Docker's event reaches us after an inspect queued behind the other events' inspects; on a
 * loaded 2-core host that took over a second, so 1 s was too short.
 */
export const AWAIT_MS = 2000;
/** exec.started records older than this cannot match a process any more. */
const EXEC_RECORD_TTL_MS = 30_000;

export interface ExecSession {
  containerId: string;
  execId: string | null;
  healthcheck: boolean;
  /** The command Docker ran, for a root that exited before /proc could be read. */
  argv: string[] | null;
  /** Events held until the session is resolved; null once resolved. */
  pending: (() => void)[] | null;
}

interface ExecRecord {
  containerId: string;
  execId: string;
  argv: string[];
  healthcheck: boolean;
  at: number;
}

function sameArgv(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}

export class ExecSessions {
  readonly #records: ExecRecord[] = [];
  readonly #waiting: { session: ExecSession; argv: string[]; timer: NodeJS.Timeout }[] = [];
  /** Sessions that stopped waiting without their exec.started, for the late one to find. */
  readonly #gaveUp: { containerId: string; argv: string[]; at: number }[] = [];
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Docker said an exec started: resolve a waiting session with it, or keep it for one to come. */
  execStarted(containerId: string, execId: string, argv: string[], healthcheck: boolean): void {
    const record = { containerId, execId, argv, healthcheck, at: this.#now() };
    const index = this.#bestWaiting(record);
    if (index >= 0) {
      const [waiting] = this.#waiting.splice(index, 1);
      if (waiting) {
        clearTimeout(waiting.timer);
        this.#resolve(waiting.session, record);
      }
      return;
    }
    this.#expire();
    if (this.#takeGaveUp(record)) return;
    this.#records.push(record);
  }

  /** A new exec root: matched at once when Docker already told us, otherwise held up to AWAIT_MS. */
  open(containerId: string, argv: string[]): ExecSession {
    const session: ExecSession = { containerId, execId: null, healthcheck: false, argv: null, pending: [] };
    this.#expire();
    const candidates = this.#records.filter((r) => r.containerId === containerId);
    const record = candidates.find((r) => sameArgv(r.argv, argv)) ?? candidates[0];
    if (record) {
      this.#records.splice(this.#records.indexOf(record), 1);
      this.#resolve(session, record);
      return session;
    }
    const timer = setTimeout(() => {
      const index = this.#waiting.findIndex((w) => w.session === session);
      if (index >= 0) this.#waiting.splice(index, 1);
      this.#gaveUp.push({ containerId, argv, at: this.#now() });
      this.#resolve(session, null);
    }, AWAIT_MS);
    timer.unref();
    this.#waiting.push({ session, argv, timer });
    return session;
  }

  /** The container of the oldest exec Docker announced that no process has claimed yet. */
  unclaimedContainer(): string | null {
    this.#expire();
    return this.#records[0]?.containerId ?? null;
  }

  /** Sends everything still held, without waiting (at stop). */
  flushAll(): void {
    for (const waiting of this.#waiting.splice(0)) {
      clearTimeout(waiting.timer);
      this.#resolve(waiting.session, null);
    }
  }

  #bestWaiting(record: ExecRecord): number {
    const same = this.#waiting.findIndex(
      (w) => w.session.containerId === record.containerId && sameArgv(w.argv, record.argv),
    );
    return same >= 0 ? same : this.#waiting.findIndex((w) => w.session.containerId === record.containerId);
  }

  /**
   * A late exec.started for a session that already went without: it belongs to no later one. Only
   * the same argv ties them: a process taken for an exec root that was none (runc plumbing racing
   * its cgroup join) also gives up, and must not swallow the next real exec's record.
   */
  #takeGaveUp(record: ExecRecord): boolean {
    if (record.argv.length === 0) return false;
    const index = this.#gaveUp.findIndex((g) => g.containerId === record.containerId && sameArgv(g.argv, record.argv));
    if (index < 0) return false;
    this.#gaveUp.splice(index, 1);
    return true;
  }

  #resolve(session: ExecSession, record: ExecRecord | null): void {
    session.execId = record?.execId ?? null;
    session.healthcheck = record?.healthcheck ?? false;
    session.argv = record?.argv ?? null;
    const pending = session.pending ?? [];
    session.pending = null;
    for (const send of pending) send();
  }

  #expire(): void {
    const oldest = this.#now() - EXEC_RECORD_TTL_MS;
    while (this.#records[0] && this.#records[0].at < oldest) this.#records.shift();
    while (this.#gaveUp[0] && this.#gaveUp[0].at < oldest) this.#gaveUp.shift();
  }
}
