// A sink's persistent delivery queue in `<state_dir>/queues/<sink>/`: `queue.jsonl` holds entries
// `{seq, alert}` appended in order (fsync'd from the end of the turn, group-sync.ts), `acked` holds
// the seq of the last one delivered (one sector rewritten in place). After a restart,
// entries above `acked` are delivered again from the head, so every alert goes out once, in order.
//
// The queue also knows the last journalled alert it took (`lastAlert`: the newest alert entry in
// the file, or the mark kept in `acked` once the file no longer holds it). At start the pipeline
// pushes what the journal holds after that mark (journal-catchup.ts), so a kill between the
// journal append and the push loses nothing.
//
// The one gap: a kill after the receiver answered 2xx but before `acked` was written resends
// that single entry. Every request carries the alert id in `X-Shipwatch-Delivery`, so a receiver
// can drop the duplicate. `acked` is not fsync'd per delivery: a crash of the machine (not of the
// agent) can roll it back by what the kernel had not written out yet, a few seconds of deliveries
// sent again, never one lost.
import {
  closeSync,
  existsSync,
  fsyncSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { isIncidentNotice, type Deliverable } from './incident-delivery.ts';
import type { JournalLine } from './journal-catchup.ts';
import { GroupSync, type SyncedFile } from './group-sync.ts';

export interface QueueEntry {
  seq: number;
  /** An alert, or an incident notice (incident-delivery.ts). */
  alert: Deliverable;
}

/** A journal line this queue has seen, with the queue seq at which it was the newest. */
export interface QueueMark extends JournalLine {
  seq: number;
}

export interface DeliveryQueueOptions {
  dir: string;
  /** Most entries kept; an alert offered beyond it is dropped (and counted by the caller). */
  maxEntries?: number;
}

/** Complete entry lines; a torn last line (crash mid-append) is skipped: it was never acknowledged to anyone. */
export function parseQueueLines(text: string): QueueEntry[] {
  const entries: QueueEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const value = JSON.parse(line) as Partial<QueueEntry>;
      if (typeof value.seq === 'number' && value.alert && typeof value.alert === 'object') {
        entries.push(value as QueueEntry);
      }
    } catch {
      // torn line
    }
  }
  return entries;
}

/** `acked` is one sector, rewritten in place. */
const ACKED_BYTES = 512;

// Rewrite the file without delivered entries once this many have piled up in front of the head.
const COMPACT_AFTER = 1000;

export class DeliveryQueue implements SyncedFile {
  readonly #file: string;
  readonly #ackedFile: string;
  #ackedFd = -1;
  readonly #max: number;
  readonly #pending: QueueEntry[];
  #fd: number;
  #nextSeq: number;
  #deliveredInFile = 0;
  #acked: number;
  #mark: QueueMark | null;
  /** A failed deferred fsync: the file is rewritten whole at the next push or ack. */
  readonly #sync = new GroupSync(() => this.unsaved++);

  constructor(options: DeliveryQueueOptions) {
    mkdirSync(options.dir, { recursive: true });
    this.#file = path.join(options.dir, 'queue.jsonl');
    this.#ackedFile = path.join(options.dir, 'acked');
    this.#max = options.maxEntries ?? 10_000;
    const [acked, keptMark] = this.#readAcked();
    const entries = parseQueueLines(this.#readText(this.#file));
    this.#acked = acked;
    this.#pending = entries.filter((e) => e.seq > acked);
    this.#deliveredInFile = entries.length - this.#pending.length;
    this.#nextSeq = Math.max(acked, keptMark?.seq ?? 0, ...entries.map((e) => e.seq)) + 1;
    const newest = entries.findLast((e) => !isIncidentNotice(e.alert));
    const fileMark = newest && {
      id: newest.alert.id,
      count: (newest.alert as { count: number }).count,
      seq: newest.seq,
    };
    // A mark set after the entry (a clean close, a catch-up) is the later knowledge.
    this.#mark = fileMark && (!keptMark || fileMark.seq > keptMark.seq) ? fileMark : keptMark;
    // Rewriting at start also drops a torn last line left by a crash mid-append.
    this.#fd = this.#rewrite();
  }

  /** The newest journalled alert this queue took or was marked past; null for a queue never marked. */
  get lastAlert(): JournalLine | null {
    return this.#mark && { id: this.#mark.id, count: this.#mark.count };
  }

  /** Records that every journal line up to `line` has been offered (durable before it returns). */
  mark(line: JournalLine): void {
    this.#mark = { id: line.id, count: line.count, seq: this.#nextSeq - 1 };
    this.#durably(() => this.#writeAcked(true));
  }

  get depth(): number {
    return this.#pending.length;
  }

  // SyncedFile (group-sync.ts), over the entries appended.
  get syncTicket(): number {
    return this.#sync.syncTicket;
  }
  synced(ticket: number): Promise<void> {
    return this.#sync.synced(ticket);
  }

  /** Disk steps that failed since the file last held every pending entry (0: the file is whole). */
  unsaved = 0;

  /** Appends (fsync'd from the end of the turn, in the thread pool); false when the queue is full (the alert is not kept). */
  push(alert: Deliverable): boolean {
    if (this.#pending.length >= this.#max) return false;
    const entry = { seq: this.#nextSeq++, alert };
    if (!isIncidentNotice(alert)) this.#mark = { id: alert.id, count: alert.count, seq: entry.seq };
    // A full or read-only disk must not cost the delivery: the entry is kept in memory (delivered
    // once the receiver answers, lost only if the agent also dies before), and the file stays
    // whole lines. After a failure the whole file is rewritten at the next push or ack, through a
    // new descriptor: a file system mounted again after a read-only error is a new one.
    if (this.unsaved > 0) {
      this.#pending.push(entry);
      this.#durably(() => this.#swap());
      return true;
    }
    this.#durably(() => {
      const size = fstatSync(this.#fd).size;
      try {
        writeSync(this.#fd, `${JSON.stringify(entry)}\n`);
      } catch (error) {
        ftruncateSync(this.#fd, size);
        throw error;
      }
    });
    this.#pending.push(entry);
    this.#sync.soon(this.#fd);
    return true;
  }

  /** Runs a disk step; on failure the queue goes on in memory (the sink's delivery loop must never die of ENOSPC). */
  #durably(step: () => void): void {
    try {
      step();
    } catch {
      this.unsaved++;
    }
  }

  peek(): QueueEntry | undefined {
    return this.#pending[0];
  }

  /** Marks the head delivered (or given up on); durable before it returns. */
  ack(seq: number): void {
    const head = this.#pending[0];
    if (!head || head.seq !== seq) return;
    this.#acked = seq;
    // Unrecorded, a delivered entry is sent once more after a restart: the documented ack window.
    // Written without an fsync (two per delivery held deliveries to ~20/s and the main thread with
    // them): a death of the agent cannot lose it, a crash of the machine can only roll it back,
    // and what was delivered since is sent again (receivers drop it by X-Shipwatch-Delivery).
    this.#durably(() => this.#writeAcked(false));
    this.#pending.shift();
    this.#deliveredInFile++;
    if (this.#pending.length === 0 && this.unsaved === 0) {
      // Everything delivered: start the file afresh (`acked` keeps seq numbers increasing).
      // `acked` (and its mark) is on disk already: a truncation lost in a machine crash only
      // leaves entries that are skipped as delivered.
      this.#durably(() => ftruncateSync(this.#fd, 0));
      this.#sync.soon(this.#fd);
      this.#deliveredInFile = 0;
    } else if (this.#deliveredInFile >= COMPACT_AFTER || this.unsaved > 0) {
      this.#durably(() => this.#swap());
    }
  }

  /** Rewrites the file from the pending entries and writes on through the new descriptor. */
  #swap(): void {
    this.#sync.now();
    const fd = this.#rewrite();
    try {
      closeSync(this.#fd);
    } catch {
      // A descriptor of a dead mount: closed all the same.
    }
    this.#fd = fd;
    this.unsaved = 0;
  }

  close(): void {
    this.#sync.now();
    this.#closeAcked();
    closeSync(this.#fd);
  }

  /** Writes the pending entries to a fresh file and swaps it in atomically; returns its descriptor. */
  #rewrite(): number {
    const tmp = `${this.#file}.tmp`;
    try {
      writeFileSync(tmp, this.#pending.map((e) => `${JSON.stringify(e)}\n`).join(''), { flush: true });
    } catch (error) {
      // A half-written copy on a full disk would only take the space the next try needs.
      rmSync(tmp, { force: true });
      throw error;
    }
    renameSync(tmp, this.#file);
    this.#syncDir();
    this.#deliveredInFile = 0;
    // The file may no longer hold the newest alert entry: `acked` keeps the mark instead.
    this.#writeAcked(true);
    return openSync(this.#file, 'a');
  }

  /**
   * `acked`: the last delivered seq, then the mark as a JSON line, padded with spaces to one
   * sector and written over the old in place: one pwrite(2), which a kill cannot tear, instead of
   * a temp file and a rename per delivery (open, write, close and rename were 8 % of the agent's
   * time in an alert storm). `durable`: fsync'd. On a full disk the sector is already the file's.
   */
  #writeAcked(durable: boolean): void {
    const mark = this.#mark ? `\n${JSON.stringify(this.#mark)}` : '';
    const text = Buffer.from(`${this.#acked}${mark}`);
    const sector = Buffer.alloc(Math.max(ACKED_BYTES, text.length), ' ');
    text.copy(sector);
    try {
      if (this.#ackedFd < 0) this.#ackedFd = openSync(this.#ackedFile, existsSync(this.#ackedFile) ? 'r+' : 'w+');
      writeSync(this.#ackedFd, sector, 0, sector.length, 0);
      if (durable) fsyncSync(this.#ackedFd);
    } catch (error) {
      // Opened anew at the next write: a file system mounted again after a read-only error is a new one.
      this.#closeAcked();
      throw error;
    }
  }

  #closeAcked(): void {
    try {
      if (this.#ackedFd >= 0) closeSync(this.#ackedFd);
    } catch {
      // A descriptor of a dead mount: closed all the same.
    }
    this.#ackedFd = -1;
  }

  /** A rename is durable only once its directory is. */
  #syncDir(): void {
    const fd = openSync(path.dirname(this.#file), 'r');
    fsyncSync(fd);
    closeSync(fd);
  }

  #readAcked(): [number, QueueMark | null] {
    const [first = '', second = ''] = this.#readText(this.#ackedFile).split('\n');
    const acked = /^\d+$/.test(first.trim()) ? Number(first.trim()) : 0;
    let mark: QueueMark | null = null;
    try {
      const value = JSON.parse(second) as Partial<QueueMark>;
      const valid = typeof value.id === 'string' && typeof value.count === 'number' && typeof value.seq === 'number';
      if (valid) mark = value as QueueMark;
    } catch {
      // No mark yet (an older file, or a queue never marked).
    }
    return [acked, mark];
  }

  #readText(file: string): string {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw error;
    }
  }
}
