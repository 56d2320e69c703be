// One shipwatch process at a time writes a state directory: two agents on one directory would
// interleave journal lines, deliver each queue twice and overwrite each other's baselines and
// isolation records. `<state_dir>/shipwatch.lock` names the holder (pid, command, API address).
//
// A pid file rather than proper-lockfile (the usual npm choice): proper-lockfile judges a lock
// stale by its mtime, so an agent killed with -9 blocks the next start for the whole stale period,
// and its lock never says who holds it; an operator needs the pid, and a dead pid is known dead at
// once. The file appears atomically (written aside, then link(2), which fails if it exists), so a
// reader never sees half of one. The pid's kernel start time is recorded too: after a reboot the
// pid may belong to an unrelated process, which must not keep the directory locked.
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ShipwatchError } from '../core/errors.ts';

export const LOCK_FILE = 'shipwatch.lock';

/** A takeover guard older than this was left by a process killed in the middle of a takeover. */
const GUARD_STALE_MS = 10_000;
const RETRY_MS = 50;
const ATTEMPTS = 100;

export interface LockHolder {
  pid: number;
  /** Start time of `pid` in clock ticks since boot (/proc/<pid>/stat, field 22); null where unknown. */
  startTime: number | null;
  /** `run`, `baseline import`, …: what the holder is doing. */
  command: string;
  since: string;
  /** Base URL of the holder's HTTP API once it listens (`http://127.0.0.1:9477`). */
  api?: string;
}

export function processStartTime(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command name) may hold spaces and parentheses: count fields after the last ')'.
    const value = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

export function isAlive(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user; it still holds the lock.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (holder.startTime === null) return true;
  const now = processStartTime(holder.pid);
  return now === null || now === holder.startTime;
}

function parseHolder(text: string): LockHolder | null {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0) return null;
    return {
      pid: value.pid,
      startTime: typeof value.startTime === 'number' ? value.startTime : null,
      command: typeof value.command === 'string' ? value.command : 'unknown',
      since: typeof value.since === 'string' ? value.since : '',
      ...(typeof value.api === 'string' ? { api: value.api } : {}),
    };
  } catch {
    return null;
  }
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function writeAside(file: string, holder: LockHolder): string {
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temp, `${JSON.stringify(holder)}\n`, { mode: 0o644 });
  return temp;
}

/** Creates the lock file holding `holder` unless one exists; false when it does. */
function createExclusive(file: string, holder: LockHolder): boolean {
  const temp = writeAside(file, holder);
  try {
    linkSync(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temp, { force: true });
  }
}

/**
 * Replaces a dead holder's lock. Two processes may find the same dead lock at once: the guard
 * file (exclusive create) lets one of them replace it, and the replacement happens only if the
 * lock still holds exactly what was judged dead.
 */
function takeOver(file: string, seen: string, holder: LockHolder): boolean {
  const guard = `${file}.takeover`;
  try {
    writeFileSync(guard, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const age = Date.now() - (statSync(guard, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > GUARD_STALE_MS) rmSync(guard, { force: true });
    return false;
  }
  try {
    if (readText(file) !== seen) return false;
    renameSync(writeAside(file, holder), file);
    return true;
  } finally {
    rmSync(guard, { force: true });
  }
}

export class StateLock {
  readonly file: string;
  #holder: LockHolder;

  constructor(file: string, holder: LockHolder) {
    this.file = file;
    this.#holder = holder;
  }

  get holder(): LockHolder {
    return this.#holder;
  }

  /** Records the API address so CLI commands on this state directory can reach this agent. */
  publish(api: string): void {
    if (!this.#ownsFile()) return;
    this.#holder = { ...this.#holder, api };
    renameSync(writeAside(this.file, this.#holder), this.file);
  }

  release(): void {
    if (this.#ownsFile()) rmSync(this.file, { force: true });
  }

  /**
   * Makes sure the lock file still names this process, and writes it again where it is gone: a
   * state directory whose file system was mounted anew (unmounted, checked and mounted after a
   * disk error) may not hold it, and a second agent could start there. Returns the live process
   * that holds it instead, if one does; throws what the file system says (EROFS while read-only).
   */
  reassert(): 'held' | 'restored' | { holder: LockHolder } {
    if (this.#ownsFile()) return 'held';
    const seen = readText(this.file);
    const other = seen === null ? null : parseHolder(seen);
    if (other && isAlive(other)) return { holder: other };
    const restored = seen === null ? createExclusive(this.file, this.#holder) : takeOver(this.file, seen, this.#holder);
    // Lost a race with another process doing the same: judged again at the next look.
    return restored ? 'restored' : 'held';
  }

  #ownsFile(): boolean {
    const current = parseHolder(readText(this.file) ?? '');
    return current?.pid === this.#holder.pid && current.startTime === this.#holder.startTime;
  }
}

export type LockAttempt = { lock: StateLock; tookOver: LockHolder | null } | { holder: LockHolder };

/** Why a state directory cannot be written at all: the operator's to fix, not a crash. */
const UNWRITABLE = new Set(['EROFS', 'ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'ENOTDIR']);

/**
 * Takes the state directory's lock, or names the live process that holds it. The lock is the
 * first write into the directory: one that cannot be written ends the start here, in one line.
 */
export async function tryLockStateDir(stateDir: string, command: string): Promise<LockAttempt> {
  try {
    return await attemptLock(stateDir, command);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined || !UNWRITABLE.has(code)) throw error;
    throw new ShipwatchError(
      'SW_STATE_UNWRITABLE',
      `state directory ${stateDir} cannot be written (${(error as Error).message}); make it writable or use another --state-dir`,
      { cause: error },
    );
  }
}

async function attemptLock(stateDir: string, command: string): Promise<LockAttempt> {
  mkdirSync(stateDir, { recursive: true });
  const file = path.join(stateDir, LOCK_FILE);
  const me: LockHolder = {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    command,
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (createExclusive(file, me)) return { lock: new StateLock(file, me), tookOver: null };
    const seen = readText(file);
    if (seen === null) continue; // released between the two calls
    const holder = parseHolder(seen);
    if (holder && isAlive(holder)) return { holder };
    // Dead holder, or a file no shipwatch wrote whole (disk full): either way nobody holds it.
    if (takeOver(file, seen, me)) {
      const dead = holder ?? { pid: 0, startTime: null, command: 'unknown', since: '' };
      return { lock: new StateLock(file, me), tookOver: dead };
    }
    await sleep(RETRY_MS);
  }
  throw new ShipwatchError('SW_STATE_LOCKED', `state directory ${stateDir}: cannot take ${file} (contended)`);
}

/** The live process holding the state directory's lock, without taking it; null when none does. */
export function lockHolder(stateDir: string): LockHolder | null {
  const holder = parseHolder(readText(path.join(stateDir, LOCK_FILE)) ?? '');
  return holder && isAlive(holder) ? holder : null;
}

export function lockedError(stateDir: string, holder: LockHolder): ShipwatchError {
  return new ShipwatchError(
    'SW_STATE_LOCKED',
    `state directory ${stateDir} is in use by another shipwatch process (pid ${holder.pid}, ${holder.command}); stop it or use another --state-dir`,
  );
}

/** Takes the lock or throws SW_STATE_LOCKED (exit 2) naming the directory and the holder's pid. */
export async function lockStateDir(
  stateDir: string,
  command: string,
  onTakeOver: (dead: LockHolder) => void,
): Promise<StateLock> {
  const attempt = await tryLockStateDir(stateDir, command);
  if ('holder' in attempt) throw lockedError(stateDir, attempt.holder);
  if (attempt.tookOver) onTakeOver(attempt.tookOver);
  return attempt.lock;
}

const KEEP_EVERY_MS = 5_000;

/**
 * Looks at the lock every few seconds for as long as the agent runs (StateLock.reassert); says in
 * the log when it was written again or another process holds it. Returns the stop function.
 */
export function keepLock(
  lock: StateLock,
  log: { warn: (fields: object, message: string) => void; error: (fields: object, message: string) => void },
  everyMs = KEEP_EVERY_MS,
): () => void {
  let lastOther: number | null = null;
  const timer = setInterval(() => {
    let result: ReturnType<StateLock['reassert']>;
    try {
      result = lock.reassert();
    } catch {
      return; // read-only or full: the journal's health says so; tried again at the next look
    }
    if (result === 'held' || result === 'restored') {
      if (result === 'restored')
        log.warn({ file: lock.file }, 'state directory lock file was gone (file system mounted anew?); written again');
      lastOther = null;
      return;
    }
    // Said once per holder, not every few seconds.
    if (lastOther === result.holder.pid) return;
    lastOther = result.holder.pid;
    log.error(
      { file: lock.file, pid: result.holder.pid, command: result.holder.command },
      `state directory lock now held by another shipwatch process (pid ${result.holder.pid}): two writers on one state directory; stop one`,
    );
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
