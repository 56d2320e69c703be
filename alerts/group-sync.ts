// Group commit for the alert side's append-only files (the journal, the sink queues): a descriptor
// written many times in one turn of the event loop is fsync'd once, from the end of that turn, not
// once per line. An alert storm raised 96 alerts/s with two fsyncs in every raise().
//
// The fsync runs in libuv's thread pool (fs.fsync), one at a time per descriptor holder: lines
// written while one runs are covered by the next, started when it returns. On the main thread
// (fsyncSync at the end of every turn) a storm's two files blocked the loop for the disk's flush
// time a hundred times a second, and the packets waiting behind it overflowed the capture child.
//
// What a line survives, and from when: once writeSync has returned, the line is in the kernel, so
// no death of the agent (SIGKILL, the OOM killer, a crash of Node) can lose it; only a crash of
// the machine itself can, and only until the fsync that follows it returns. Before a descriptor
// is closed or replaced, now() syncs it on the spot. Hand-written: a few lines over setImmediate,
// no library does this for a raw descriptor.
import { fsync, fsyncSync } from 'node:fs';

/** A file written through a GroupSync: what its writer asked so far, and a wait for it on disk. */
export interface SyncedFile {
  /** Rises with every write asked to be fsync'd: hand it to synced() later. */
  readonly syncTicket: number;
  /** Resolves once the writes up to `ticket` have been fsync'd (or the fsync failed and said so). */
  synced(ticket: number): Promise<void>;
}

/** fs.fsync's shape: the flush in the thread pool, `done` on the main thread. */
export type PoolFsync = (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void;

export class GroupSync implements SyncedFile {
  readonly #onError: (error: Error) => void;
  readonly #inPool: PoolFsync;
  readonly #onSpot: (fd: number) => void;
  /** Written this turn, not yet handed to an fsync. */
  #fd = -1;
  #scheduled = false;
  /** The descriptor whose fsync is in the pool now, and the one to sync when it returns. */
  #running = -1;
  #queued = -1;
  /** Bumped by now(): a pool fsync begun before it reports no error (now() synced its lines). */
  #generation = 0;
  #runningGeneration = 0;
  /** Writes asked to be fsync'd, and how many of them an fsync has covered since. */
  #asked = 0;
  #done = 0;
  #waiting: { ticket: number; resolve: () => void }[] = [];

  /**
   * `onError`: a deferred fsync failed (the caller decides what that makes its file). `inPool` and
   * `onSpot` are fs.fsync and fs.fsyncSync but in tests.
   */
  constructor(onError: (error: Error) => void, inPool: PoolFsync = fsync, onSpot: (fd: number) => void = fsyncSync) {
    this.#onError = onError;
    this.#inPool = inPool;
    this.#onSpot = onSpot;
  }

  /** fsyncs `fd` from the end of this turn, once however often it is asked. */
  soon(fd: number): void {
    if (this.#fd >= 0 && this.#fd !== fd) this.now();
    this.#fd = fd;
    this.#asked++;
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  /** Every pending fsync, now and on this thread: before a descriptor is closed or replaced. */
  now(): void {
    // The one in the pool too, unless an earlier now() synced it already: its return is unknown.
    const running = this.#runningGeneration === this.#generation ? this.#running : -1;
    const pending = new Set([this.#fd, this.#queued, running].filter((fd) => fd >= 0));
    this.#fd = -1;
    this.#queued = -1;
    this.#generation++;
    for (const fd of pending) {
      try {
        this.#onSpot(fd);
      } catch (error) {
        this.#onError(asError(error));
      }
    }
    this.#covered(this.#asked);
  }

  get syncTicket(): number {
    return this.#asked;
  }

  synced(ticket: number): Promise<void> {
    if (ticket <= this.#done) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push({ ticket, resolve }));
  }

  #flush(): void {
    const fd = this.#fd;
    this.#fd = -1;
    if (fd < 0) return;
    if (this.#running >= 0) this.#queued = fd;
    else this.#start(fd);
  }

  #start(fd: number): void {
    this.#running = fd;
    this.#runningGeneration = this.#generation;
    // Every write asked so far is in the kernel already: this fsync covers them all.
    const covers = this.#asked;
    this.#inPool(fd, (error) => {
      this.#running = -1;
      if (error && this.#runningGeneration === this.#generation) this.#onError(asError(error));
      this.#covered(covers);
      const next = this.#queued;
      this.#queued = -1;
      if (next >= 0) this.#start(next);
    });
  }

  #covered(ticket: number): void {
    if (ticket <= this.#done) return;
    this.#done = ticket;
    const covered = this.#waiting.filter((w) => w.ticket <= ticket);
    this.#waiting = this.#waiting.filter((w) => w.ticket > ticket);
    for (const { resolve } of covered) resolve();
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
