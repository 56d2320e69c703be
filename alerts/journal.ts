// The alert journal: append-only JSON lines in `<state_dir>/alerts/`, each line written before
// any sink sees the alert, rotated by size with a retention limit. A repeat (count raised) is
// journalled as another line with the same id; readers keep the latest line per id.
//
// Writes are synchronous on purpose: the journal is the durability point of the whole pipeline,
// and a sync write keeps lines in raise order with no second buffer to lose when the agent dies.
// The fsync is a group commit (group-sync.ts): once per turn of the event loop for all the lines
// of that turn, in Node's thread pool. One fsync costs from well under a millisecond to several on
// a busy disk (28 ms seen in an alert storm), and an alert storm is hundreds of lines a turn.
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import type { Alert } from './alert.ts';
import { lastJournalLine, lineOf, type JournalLine } from './journal-catchup.ts';
import { DEFAULT_RETAIN, journalDir, queryJournal, type AlertQuery } from './journal-reader.ts';
import { GroupSync, type SyncedFile } from './group-sync.ts';

export interface JournalOptions {
  stateDir: string;
  /** Rotate the active file when it grows past this many bytes. */
  maxBytes?: number;
  /** Rotated files kept besides the active one; older ones are deleted. */
  retain?: number;
}

export type { AlertQuery } from './journal-reader.ts';

export class Journal implements SyncedFile {
  readonly #dir: string;
  readonly #file: string;
  readonly #maxBytes: number;
  readonly #retain: number;
  readonly #stateDir: string;
  /** -1 while no file is open (a rotation or a reopen failed half-way). */
  #fd: number;
  #size: number;
  /**
   * A write failed: reopen by path before the next. After ENOSPC the same descriptor would do,
   * but a file system the kernel turned read-only (an I/O error, errors=remount-ro) is writable
   * again only once an operator has mounted it anew, and the old descriptor still points into
   * the dead mount: writes through it fail forever.
   */
  #stale = false;
  #last: JournalLine;
  /** A deferred fsync failed: the next append reports it (and reopens). */
  #syncFailed: Error | null = null;
  readonly #sync = new GroupSync((error) => {
    this.#stale = true;
    this.#syncFailed = error;
  });

  constructor(options: JournalOptions) {
    this.#stateDir = options.stateDir;
    this.#dir = journalDir(options.stateDir);
    this.#file = path.join(this.#dir, 'journal.jsonl');
    this.#maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this.#retain = options.retain ?? DEFAULT_RETAIN;
    mkdirSync(this.#dir, { recursive: true });
    this.#fd = openSync(this.#file, 'a+');
    this.#size = fstatSync(this.#fd).size;
    this.#sealTornLine();
    this.#last = lastJournalLine(this.#stateDir, this.#retain);
  }

  /** Rotated files kept besides the active one. */
  get retain(): number {
    return this.#retain;
  }

  /** The newest line on disk (JOURNAL_START when the journal is empty). */
  get lastLine(): JournalLine {
    return this.#last;
  }

  #reopen(): void {
    this.#sync.now();
    if (this.#fd >= 0) {
      try {
        closeSync(this.#fd);
      } catch {
        // Closing a descriptor of a dead mount may report its error; it is closed all the same.
      }
      this.#fd = -1;
    }
    mkdirSync(this.#dir, { recursive: true });
    this.#fd = openSync(this.#file, 'a+');
    this.#size = fstatSync(this.#fd).size;
    this.#sealTornLine();
    this.#stale = false;
  }

  /**
   * Appends one alert line; returns when the kernel has it (no death of the agent loses it now),
   * fsync'd from the end of the turn. Throws when the write fails, or an earlier line's fsync did.
   */
  append(alert: Alert): void {
    const line = Buffer.from(`${JSON.stringify(alert)}\n`);
    try {
      const failed = this.#syncFailed;
      this.#syncFailed = null;
      if (failed) throw failed;
      if (this.#stale || this.#fd < 0) this.#reopen();
      if (this.#size > 0 && this.#size + line.length > this.#maxBytes) this.#rotate();
    } catch (error) {
      this.#stale = true;
      throw error;
    }
    try {
      // writeSync may write part of the line and say so: loop, and let a full disk throw.
      for (let done = 0; done < line.length;) done += writeSync(this.#fd, line, done, line.length - done);
    } catch (error) {
      this.#stale = true;
      // Disk full or read-only mid-line: cut the partial line off, so the journal stays whole lines
      // and the next append, once there is space again, starts clean.
      try {
        ftruncateSync(this.#fd, this.#size);
      } catch {
        // Nothing more to do here; #sealTornLine repairs the tail at the reopen.
      }
      throw error;
    }
    this.#size += line.length;
    this.#last = lineOf(alert);
    this.#sync.soon(this.#fd);
  }

  /** Rises with every line appended: synced(ticket) resolves once those lines are fsync'd. */
  get syncTicket(): number {
    return this.#sync.syncTicket;
  }

  synced(ticket: number): Promise<void> {
    return this.#sync.synced(ticket);
  }

  /** Alerts newest first (by their first line in the journal), latest version of each. */
  query(query: AlertQuery = {}): Alert[] {
    return queryJournal(this.#stateDir, query, this.#retain);
  }

  close(): void {
    this.#sync.now();
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#fd = -1;
  }

  /** A crash mid-write can leave a last line without its newline: end it so the next line starts clean. */
  #sealTornLine(): void {
    if (this.#size === 0) return;
    const last = Buffer.alloc(1);
    readSync(this.#fd, last, 0, 1, this.#size - 1);
    if (last[0] === 0x0a) return;
    writeSync(this.#fd, '\n');
    fsyncSync(this.#fd);
    this.#size += 1;
  }

  #rotate(): void {
    this.#sync.now();
    closeSync(this.#fd);
    this.#fd = -1;
    rmSync(path.join(this.#dir, `journal.${this.#retain}.jsonl`), { force: true });
    for (let i = this.#retain - 1; i >= 1; i--) {
      const from = path.join(this.#dir, `journal.${i}.jsonl`);
      if (existsSync(from)) renameSync(from, path.join(this.#dir, `journal.${i + 1}.jsonl`));
    }
    if (this.#retain >= 1) renameSync(this.#file, path.join(this.#dir, 'journal.1.jsonl'));
    else rmSync(this.#file, { force: true });
    this.#fd = openSync(this.#file, 'a+');
    this.#size = 0;
    // The renames must survive a crash too, or a restart could find two files claiming one name.
    const dirFd = openSync(this.#dir, 'r');
    fsyncSync(dirFd);
    closeSync(dirFd);
  }
}
