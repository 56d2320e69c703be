// The journal-to-queue gap: a kill after the journal append and before a sink queue's push must not
// lose that sink's copy. Each queue remembers the newest journal line it took; the next start offers
// what the journal holds after it, once, and a sink that never took anything gets no history.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertFactory, type Alert } from '../../../alerts/alert.ts';
import { AlertPipeline } from '../../../alerts/alert-pipeline.ts';
import { DeliveryQueue, parseQueueLines } from '../../../alerts/delivery-queue.ts';
import { incidentNotice } from '../../../alerts/incident-delivery.ts';
import {
  JOURNAL_START,
  catchUpSinks,
  journalAfter,
  lineOf,
  type JournalLine,
} from '../../../alerts/journal-catchup.ts';
import { Journal } from '../../../alerts/journal.ts';
import { Metrics } from '../../../alerts/metrics.ts';
import { validateConfig } from '../../../agent/config.ts';
import { createLogger } from '../../../core/logger.ts';
import { egressFinding } from '../../support/findings.ts';

const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const log = createLogger('silent', false);
const factory = new AlertFactory({ host: 'h', dedupWindow: 60_000 });
const alert = (port: number): Alert => factory.raise(egressFinding(port))!.alert;

describe('DeliveryQueue lastAlert', () => {
  it('is the newest alert pushed, kept in acked once delivery empties the file', () => {
    const dir = tempDir('sw-mark-');
    const q = new DeliveryQueue({ dir });
    expect(q.lastAlert).toBeNull();
    const [a, b] = [alert(1), alert(2)];
    q.push(a);
    q.push(b);
    q.push(incidentNotice({ id: 'inc-1', alertCount: 2, severity: 'high' } as never, 'opened'));
    expect(q.lastAlert).toEqual(lineOf(b)); // a notice is not a journal line
    while (q.peek()) q.ack(q.peek()!.seq);
    q.close();
    expect(readFileSync(path.join(dir, 'queue.jsonl'), 'utf8')).toBe('');
    const reopened = new DeliveryQueue({ dir });
    expect(reopened.lastAlert).toEqual(lineOf(b));
    reopened.close();
  });

  it('prefers a later mark over the file entries, and a later push over the mark', () => {
    const dir = tempDir('sw-mark-');
    const q = new DeliveryQueue({ dir });
    q.push(alert(3));
    const end: JournalLine = { id: 'later', count: 4 };
    q.mark(end);
    q.close();
    const reopened = new DeliveryQueue({ dir });
    expect(reopened.lastAlert).toEqual(end);
    expect(reopened.depth).toBe(1); // marking delivers nothing
    const c = alert(4);
    reopened.push(c);
    reopened.close();
    expect(new DeliveryQueue({ dir }).lastAlert).toEqual(lineOf(c));
  });

  it('reads an acked file of the old form (a bare seq) as a queue never marked', () => {
    const dir = tempDir('sw-mark-');
    writeFileSync(path.join(dir, 'acked'), '7');
    const q = new DeliveryQueue({ dir });
    expect(q.lastAlert).toBeNull();
    q.push(alert(5));
    expect(q.peek()?.seq).toBe(8);
    q.close();
  });
});

describe('journalAfter', () => {
  it('finds a line across rotated files and returns what follows, oldest first; null once rotated away', () => {
    const stateDir = tempDir('sw-after-');
    const journal = new Journal({ stateDir, maxBytes: 3000, retain: 2 });
    const alerts = Array.from({ length: 40 }, (_, i) => alert(100 + i));
    alerts.forEach((a) => journal.append(a));
    const retained = journalAfter(stateDir, JOURNAL_START, 2)!;
    // Some of the oldest are rotated away; what is left is the newest, in order, over three files.
    expect(retained.length).toBeLessThan(alerts.length);
    expect(retained.map((a) => a.id)).toEqual(alerts.slice(-retained.length).map((a) => a.id));
    const anchor = retained[1]!; // in the oldest retained file
    expect(journalAfter(stateDir, lineOf(anchor), 2)!.map((a) => a.id)).toEqual(retained.slice(2).map((a) => a.id));
    expect(journalAfter(stateDir, lineOf(alerts[0]!), 2)).toBeNull();
    expect(journal.lastLine).toEqual(lineOf(alerts.at(-1)!));
    journal.close();
  });
});

describe('catchUpSinks', () => {
  it('offers the lines after each mark, repeats as repeats, and marks a new sink at the end unoffered', () => {
    const stateDir = tempDir('sw-catchup-');
    const journal = new Journal({ stateDir });
    const [a, b] = [alert(200), alert(201)];
    const bAgain = { ...b, count: 2 };
    [a, b, bAgain].forEach((x) => journal.append(x));
    journal.close();
    const sink = (lastAlert: JournalLine | null) => ({
      name: 'test',
      lastAlert,
      offered: [] as [string, number, boolean][],
      marks: [] as JournalLine[],
      mark(line: JournalLine) {
        this.marks.push(line);
      },
      offer(x: Alert, repeat: boolean) {
        this.offered.push([x.id, x.count, repeat]);
      },
    });
    const behind = sink(lineOf(a));
    const fresh = sink(null);
    const current = sink(lineOf(bAgain));
    catchUpSinks(stateDir, 5, [behind, fresh, current], log);
    expect(behind.offered).toEqual([
      [b.id, 1, false],
      [b.id, 2, true],
    ]);
    expect(behind.marks).toEqual([lineOf(bAgain)]);
    expect(fresh.offered).toEqual([]);
    expect(fresh.marks).toEqual([lineOf(bAgain)]);
    expect(current.offered).toEqual([]);
    expect(current.marks).toEqual([]);
  });
});

describe('AlertPipeline after a kill between the journal append and the queue push', () => {
  // Port 9 (discard) on loopback: nothing is delivered, so the queue shows what it was given.
  const HOOK = { url: 'http://127.0.0.1:9/hook' };
  const OTHER = { url: 'http://127.0.0.1:9/other' };

  function open(stateDir: string, webhooks: unknown[]) {
    const config = validateConfig({ host: 'h', state_dir: stateDir, webhooks }, 'test');
    return new AlertPipeline({ config, metrics: new Metrics(), log });
  }
  const queued = (stateDir: string, sink: AlertPipeline['sinks'][number]) =>
    parseQueueLines(readFileSync(path.join(stateDir, 'queues', sink.name, 'queue.jsonl'), 'utf8')).map(
      (e) => e.alert.id,
    );

  it('queues the journalled alert the kill cut off, once, and gives a sink added later no history', async () => {
    const stateDir = tempDir('sw-kill-gap-');
    const first = open(stateDir, [HOOK]);
    const delivered = first.raise(egressFinding(300))!;
    const cutOff = alert(301);
    first.journal.append(cutOff); // journalled; the kill came before any queue push
    // The kill: the queues stop where they are, nothing is marked.
    await Promise.all(first.sinks.map((s) => s.close()));
    first.journal.close();

    const second = open(stateDir, [HOOK]);
    expect(queued(stateDir, second.sinks[0]!)).toEqual([delivered.id, cutOff.id]);
    await second.close(0); // a clean stop: the next start has nothing to add

    const third = open(stateDir, [HOOK, OTHER]);
    expect(queued(stateDir, third.sinks[0]!)).toEqual([delivered.id, cutOff.id]);
    expect(third.sinks[1]!.depth).toBe(0);
    await third.close(0);
  });
});
