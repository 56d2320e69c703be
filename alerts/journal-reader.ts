// Reading the journal, tolerant of what a crash leaves behind: a torn last line (or any line that
// is not an alert) is skipped, never fatal. Also the tail that `shipwatch alerts --follow` uses:
// it follows journal.jsonl across rotations by inode.
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Alert } from './alert.ts';

export const DEFAULT_RETAIN = 5;

export interface AlertQuery {
  /** Only alerts whose lastSeen is at or after this epoch ms. */
  since?: number;
  limit?: number;
  rule?: string;
  /** Container id (or a prefix of it) or name. */
  container?: string;
}

export function journalDir(stateDir: string): string {
  return path.join(stateDir, 'alerts');
}

/** Journal files oldest first: journal.N.jsonl … journal.1.jsonl, journal.jsonl. */
export function journalFiles(stateDir: string, retain: number): string[] {
  const dir = journalDir(stateDir);
  const files: string[] = [];
  for (let i = retain; i >= 1; i--) files.push(path.join(dir, `journal.${i}.jsonl`));
  files.push(path.join(dir, 'journal.jsonl'));
  return files.filter((file) => existsSync(file));
}

/** Alerts newest first (by their first line in the journal), latest version of each; read-only. */
export function queryJournal(stateDir: string, query: AlertQuery = {}, retain = DEFAULT_RETAIN): Alert[] {
  const latest = new Map<string, Alert>();
  for (const file of journalFiles(stateDir, retain)) {
    for (const alert of readJournalFile(file)) latest.set(alert.id, alert);
  }
  const wanted = query.container;
  const result: Alert[] = [];
  for (const alert of [...latest.values()].reverse()) {
    if (query.since !== undefined && Date.parse(alert.lastSeen) < query.since) continue;
    if (query.rule && alert.rule !== query.rule) continue;
    if (wanted && !(alert.container && (alert.container.name === wanted || alert.container.id.startsWith(wanted)))) {
      continue;
    }
    result.push(alert);
    if (query.limit !== undefined && result.length >= query.limit) break;
  }
  return result;
}

function isAlert(value: unknown): value is Alert {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return v.version === 1 && typeof v.id === 'string' && typeof v.rule === 'string' && typeof v.lastSeen === 'string';
}

/** Complete, parseable alert lines of a text; anything else is skipped. */
export function parseJournalLines(text: string): Alert[] {
  const alerts: Alert[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (isAlert(value)) alerts.push(value);
    } catch {
      // A torn line from a crash mid-write: the alert never reached a sink either, since sinks
      // send an alert only after its line's fsync (queued-sink.ts).
    }
  }
  return alerts;
}

export function readJournalFile(file: string): Alert[] {
  try {
    return parseJournalLines(readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []; // rotated away meanwhile
    throw error;
  }
}

/** Follows the active journal file from a position, handing over each new complete line. */
export class JournalTail {
  readonly #file: string;
  readonly #dir: string;
  #ino = -1;
  #offset = 0;
  #partial = '';

  /** Starts at the current end of the journal (the caller has read what was there already). */
  constructor(stateDir: string) {
    this.#dir = path.join(stateDir, 'alerts');
    this.#file = path.join(this.#dir, 'journal.jsonl');
    if (existsSync(this.#file)) {
      const stat = statSync(this.#file);
      this.#ino = stat.ino;
      this.#offset = stat.size;
    }
  }

  /** New alerts (and updates) since the last poll, in journal order. */
  poll(): Alert[] {
    if (!existsSync(this.#file)) return [];
    const stat = statSync(this.#file);
    let text = '';
    if (stat.ino !== this.#ino) {
      // Rotated: finish the old file (now journal.1.jsonl) if it is the one we were reading.
      const previous = path.join(this.#dir, 'journal.1.jsonl');
      if (this.#ino !== -1 && existsSync(previous) && statSync(previous).ino === this.#ino) {
        text += this.#readFrom(previous, this.#offset);
      }
      this.#ino = stat.ino;
      this.#offset = 0;
    }
    if (stat.size > this.#offset) text += this.#readFrom(this.#file, this.#offset);
    this.#offset = Math.max(this.#offset, stat.size);
    text = this.#partial + text;
    const end = text.lastIndexOf('\n');
    this.#partial = text.slice(end + 1);
    return parseJournalLines(text.slice(0, end + 1));
  }

  #readFrom(file: string, offset: number): string {
    const fd = openSync(file, 'r');
    try {
      const size = statSync(file).size;
      if (size <= offset) return '';
      const buffer = Buffer.alloc(size - offset);
      const read = readSync(fd, buffer, 0, buffer.length, offset);
      if (file === this.#file) this.#offset = offset + read;
      return buffer.subarray(0, read).toString('utf8');
    } finally {
      closeSync(fd);
    }
  }
}
