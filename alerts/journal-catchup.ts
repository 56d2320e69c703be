// Closing the one gap between the journal and the sink queues. An alert is journalled and then
// pushed to each sink queue in one synchronous step (both fsync'd from the end of the turn); a kill,
// or a machine crash that kept the journal's fsync but not a queue's, between the two
// leaves the alert in the journal but not in some queue. So each queue remembers the newest
// journal line it was offered (DeliveryQueue `lastAlert`), and at start the pipeline offers every
// journal line after it again, through the same filters, in journal order.
//
// A line is named by alert id and count: a repeat is journalled as another line with the same id
// and a higher count, so the pair names exactly one line. A queue that has never been offered
// anything (a new sink) is marked at the journal's current end: it does not receive history.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Alert } from './alert.ts';
import { journalFiles, parseJournalLines, readJournalFile } from './journal-reader.ts';
import type { Logger } from '../core/logger.ts';

/** One journal line, by alert id and count; `{id: '', count: 0}` is the journal's beginning. */
export interface JournalLine {
  id: string;
  count: number;
}

export const JOURNAL_START: JournalLine = Object.freeze({ id: '', count: 0 });

export const lineOf = (alert: Pick<Alert, 'id' | 'count'>): JournalLine => ({ id: alert.id, count: alert.count });

const sameLine = (a: JournalLine, b: JournalLine): boolean => a.id === b.id && a.count === b.count;

// A journal line is at most a few KB (argv and summary are capped); the tail read covers many.
const TAIL_BYTES = 256 * 1024;

/** The journal's newest line, or JOURNAL_START for an empty journal. */
export function lastJournalLine(stateDir: string, retain: number): JournalLine {
  for (const file of journalFiles(stateDir, retain).reverse()) {
    const newest = parseJournalLines(readTail(file)).at(-1);
    if (newest) return lineOf(newest);
  }
  return JOURNAL_START;
}

function readTail(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return ''; // rotated away meanwhile
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, size - length);
    const text = buffer.subarray(0, read).toString('utf8');
    // Drop the first, probably partial, line unless the read began at the file's start.
    return length === size ? text : text.slice(text.indexOf('\n') + 1);
  } finally {
    closeSync(fd);
  }
}

/**
 * The journal lines after `line`, oldest first; null when `line` is not in the retained journal
 * (rotated away, or the journal was removed). Files are read newest first until it is found.
 */
export function journalAfter(stateDir: string, line: JournalLine, retain: number): Alert[] | null {
  const newerFiles: Alert[][] = [];
  for (const file of journalFiles(stateDir, retain).reverse()) {
    const alerts = readJournalFile(file);
    const at = sameLine(line, JOURNAL_START) ? -1 : alerts.findLastIndex((alert) => sameLine(lineOf(alert), line));
    if (at >= 0) return [...alerts.slice(at + 1), ...newerFiles.reverse().flat()];
    newerFiles.push(alerts);
  }
  return sameLine(line, JOURNAL_START) ? newerFiles.reverse().flat() : null;
}

/** A sink as the catch-up sees it (QueuedSink). */
export interface CatchUpSink {
  readonly name: string;
  readonly lastAlert: JournalLine | null;
  mark(line: JournalLine): void;
  offer(alert: Alert, repeat: boolean): void;
}

/**
 * Offers each sink the journal lines it missed (a repeat is a line with count > 1, as the
 * pipeline offered it), then marks every sink at the journal's end. Returns how many were offered.
 */
export function catchUpSinks(
  stateDir: string,
  retain: number,
  sinks: readonly CatchUpSink[],
  log: Logger,
): Map<string, number> {
  const end = lastJournalLine(stateDir, retain);
  const offered = new Map<string, number>();
  for (const sink of sinks) {
    const from = sink.lastAlert;
    if (from && !sameLine(from, end)) {
      const missed = journalAfter(stateDir, from, retain);
      if (missed === null) {
        log.warn({ sink: sink.name, alert: from.id }, 'sink queue mark not in the journal any more: no catch-up');
      } else {
        for (const alert of missed) sink.offer(alert, alert.count > 1);
        offered.set(sink.name, missed.length);
        if (missed.length > 0) log.info({ sink: sink.name, lines: missed.length }, 'sink caught up from the journal');
      }
    }
    if (!from || !sameLine(from, end)) sink.mark(end);
  }
  return offered;
}
