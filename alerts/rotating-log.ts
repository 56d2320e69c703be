// A JSON-lines log bounded by size and age: `<dir>/<base>.jsonl` is the active file; past
// `maxBytes` it becomes `<base>.1.jsonl` (the others shift up) and files past `retain` are deleted;
// files whose newest line is older than `maxAge` are deleted by prune(). So the disk used is at
// most (retain + 1) × maxBytes, whatever the event rate. The same conventions as the alert
// journal (journal.ts), without its fsync: flow history and timelines are records of
// what was seen, written far more often than alerts, and a crash may lose their last lines.
// Readers skip torn or foreign lines.
//
// Each line is one write(2) on a descriptor kept open (O_APPEND), not an appendFileSync's open,
// write and close: under a flood of new flows the agent writes a timeline and a flow-history line
// per packet, and the three syscalls were a third of its CPU. At most OPEN_FILES logs hold a
// descriptor (a host has a timeline per container); the least recently written closes first. A
// failed write closes it too, so the next one opens the file again by its path (a state
// directory remounted after an error).
//
// A `buffered` log (timelines, flow history) goes further: lines wait in memory and go out as one
// write per log per event-loop turn (a setImmediate), or at 64 KiB. Under a packet flood the
// per-line write(2) was 30 % of the main thread and the slowest /healthz answers. Readers in this
// process (readLog) flush first; the process's exit flushes too; a kill loses at most one turn.
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { BoundedMap } from '../core/bounded-map.ts';

const OPEN_FILES = 32;
const BUFFER_BYTES = 64 * 1024;
process.once('exit', () => RotatingLog.flushAll());

export interface RotatingLogOptions {
  dir: string;
  base: string;
  /** Rotate the active file when the next line would take it past this many bytes. */
  maxBytes: number;
  /** Rotated files kept besides the active one. */
  retain: number;
  /** Files last written longer ago than this many ms are deleted by prune(); 0 = no age bound. */
  maxAge?: number;
  /** Lines wait for the end of the event-loop turn and are written together (see above). */
  buffered?: boolean;
}

export class RotatingLog {
  /** The logs holding a descriptor, least recently written first. */
  static readonly #open = new BoundedMap<RotatingLog, true>(Infinity);
  readonly #o: RotatingLogOptions;
  readonly #file: string;
  #size: number;
  #fd: number | null = null;
  /** Buffered lines not yet written, and their bytes. */
  #lines: string[] = [];
  #bufferedBytes = 0;
  /** A buffered write failed: the next append reports it (its lines are lost, as an unbuffered line would be). */
  #failed: Error | null = null;
  /** Logs with buffered lines; written at the end of the turn. */
  static readonly #waiting = new Set<RotatingLog>();
  static #scheduled = false;

  /** Writes every buffered line of every log now (before reading, before exit). */
  static flushAll(): void {
    RotatingLog.#scheduled = false;
    for (const log of [...RotatingLog.#waiting]) log.#flushQuietly();
  }

  constructor(options: RotatingLogOptions) {
    this.#o = options;
    this.#file = path.join(options.dir, `${options.base}.jsonl`);
    mkdirSync(options.dir, { recursive: true });
    this.#size = existsSync(this.#file) ? statSync(this.#file).size : 0;
  }

  /** Appends a line; throws when its write fails (buffered: when an earlier batch's write failed). */
  append(value: unknown): void {
    if (this.#failed !== null) {
      const error = this.#failed;
      this.#failed = null;
      throw error;
    }
    const line = `${JSON.stringify(value)}\n`;
    const bytes = Buffer.byteLength(line);
    if (this.#size > 0 && this.#size + bytes > this.#o.maxBytes) this.#rotate();
    this.#size += bytes;
    if (!this.#o.buffered) return this.#write(line);
    this.#lines.push(line);
    this.#bufferedBytes += bytes;
    if (this.#bufferedBytes >= BUFFER_BYTES) return this.#flush();
    RotatingLog.#waiting.add(this);
    if (!RotatingLog.#scheduled) {
      RotatingLog.#scheduled = true;
      setImmediate(() => RotatingLog.flushAll()).unref();
    }
  }

  #write(text: string): void {
    try {
      writeSync(this.#descriptor(), text);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** Writes the buffered lines in one write; throws as #write. */
  #flush(): void {
    RotatingLog.#waiting.delete(this);
    if (this.#lines.length === 0) return;
    const text = this.#lines.join('');
    this.#lines = [];
    this.#bufferedBytes = 0;
    this.#write(text);
  }

  #flushQuietly(): void {
    try {
      this.#flush();
    } catch (error) {
      this.#failed = error instanceof Error ? error : new Error(String(error));
    }
  }

  /** Releases the descriptor (the next append opens the file again). */
  close(): void {
    if (this.#lines.length > 0) this.#flushQuietly();
    RotatingLog.#open.delete(this);
    if (this.#fd === null) return;
    const fd = this.#fd;
    this.#fd = null;
    try {
      closeSync(fd);
    } catch {
      // already unusable: nothing more to release
    }
  }

  #descriptor(): number {
    if (this.#fd === null) {
      while (RotatingLog.#open.size >= OPEN_FILES) RotatingLog.#open.oldest()?.close();
      this.#fd = openSync(this.#file, 'a');
    }
    RotatingLog.#open.set(this, true);
    return this.#fd;
  }

  /** Deletes files past the age bound (an active file past it is emptied). */
  prune(now: number = Date.now()): void {
    const maxAge = this.#o.maxAge ?? 0;
    if (maxAge <= 0) return;
    this.#flushQuietly();
    for (const file of logFiles(this.#o.dir, this.#o.base, this.#o.retain)) {
      if (now - statSync(file).mtimeMs <= maxAge) continue;
      if (file === this.#file) this.close();
      rmSync(file, { force: true });
      if (file === this.#file) this.#size = 0;
    }
  }

  /** Bytes on disk across every file of this log. */
  diskBytes(): number {
    this.#flushQuietly();
    return logFiles(this.#o.dir, this.#o.base, this.#o.retain).reduce((sum, file) => sum + statSync(file).size, 0);
  }

  #rotate(): void {
    this.close(); // writes what is buffered to the file being rotated
    const { dir, base, retain } = this.#o;
    rmSync(path.join(dir, `${base}.${retain}.jsonl`), { force: true });
    for (let i = retain - 1; i >= 1; i--) {
      const from = path.join(dir, `${base}.${i}.jsonl`);
      if (existsSync(from)) renameSync(from, path.join(dir, `${base}.${i + 1}.jsonl`));
    }
    if (retain >= 1) renameSync(this.#file, path.join(dir, `${base}.1.jsonl`));
    else rmSync(this.#file, { force: true });
    this.#size = 0;
  }
}

/** The files of a log, oldest first: base.N.jsonl … base.1.jsonl, base.jsonl. */
export function logFiles(dir: string, base: string, retain: number): string[] {
  const files: string[] = [];
  for (let i = retain; i >= 1; i--) files.push(path.join(dir, `${base}.${i}.jsonl`));
  files.push(path.join(dir, `${base}.jsonl`));
  return files.filter((file) => existsSync(file));
}

/** Every parseable object line of a log, oldest first; torn lines (a crash mid-write) are skipped. */
export function readLog<T>(dir: string, base: string, retain: number, accept: (value: unknown) => value is T): T[] {
  RotatingLog.flushAll();
  const result: T[] = [];
  for (const file of logFiles(dir, base, retain)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // rotated away meanwhile
      throw error;
    }
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const value: unknown = JSON.parse(line);
        if (accept(value)) result.push(value);
      } catch {
        // torn line
      }
    }
  }
  return result;
}
