// Group commit for the alert side's append-only files (the journal, the sink queues): a descriptor
// written many times in one turn of the event loop is fsync'd once, at the end of that turn, not
// once per line. An alert storm raised 96 alerts/s with two fsyncs in every raise().
//
// What a line survives, and from when: once writeSync has returned, the line is in the kernel, so
// no death of the agent (SIGKILL, the OOM killer, a crash of Node) can lose it; only a crash of
// the machine itself can, and only until the fsync at the end of the turn. Hand-written: a few
// lines over setImmediate, no library does this for a raw descriptor.
import { fsyncSync } from 'node:fs';

export class GroupSync {
  readonly #onError: (error: Error) => void;
  readonly #fsync: (fd: number) => void;
  #fd = -1;
  #scheduled = false;

  /** `onError`: a deferred fsync failed (the caller decides what that makes its file). */
  constructor(onError: (error: Error) => void, fsync: (fd: number) => void = fsyncSync) {
    this.#onError = onError;
    this.#fsync = fsync;
  }

  /** fsyncs `fd` at the end of this turn, once however often it is asked. */
  soon(fd: number): void {
    if (this.#fd >= 0 && this.#fd !== fd) this.now();
    this.#fd = fd;
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.now();
    });
  }

  /** The pending fsync, now: before its descriptor is closed or replaced. */
  now(): void {
    const fd = this.#fd;
    this.#fd = -1;
    if (fd < 0) return;
    try {
      this.#fsync(fd);
    } catch (error) {
      this.#onError(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
