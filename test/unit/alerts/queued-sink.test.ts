import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertFactory, type Alert } from '../../../alerts/alert.ts';
import { Metrics } from '../../../alerts/metrics.ts';
import type { SyncedFile } from '../../../alerts/group-sync.ts';
import { QueuedSink } from '../../../alerts/queued-sink.ts';
import type { AlertTransport, SendResult } from '../../../alerts/sink.ts';
import { createLogger } from '../../../core/logger.ts';
import type { Severity } from '../../../findings/index.ts';
import { egressFinding } from '../../support/findings.ts';
import { waitFor } from '../../support/wait.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A transport answering from a script, recording what it was sent (a fake for this unit only). */
class ScriptedTransport implements AlertTransport {
  readonly name = 'scripted';
  readonly sent: string[] = [];
  constructor(
    readonly script: (n: number) => SendResult,
    readonly minSeverity: Severity = 'info',
    readonly wantsRepeats = false,
  ) {}
  send(alert: Alert): Promise<SendResult> {
    this.sent.push(alert.id);
    return Promise.resolve(this.script(this.sent.length - 1));
  }
}

const factory = new AlertFactory({ host: 'h', dedupWindow: 0 });
const alert = (port: number, severity?: Severity) => factory.raise({ ...egressFinding(port), severity })!.alert;

function sink(transport: AlertTransport, maxEntries?: number, journal?: SyncedFile) {
  const queueDir = mkdtempSync(path.join(tmpdir(), 'sw-sink-'));
  dirs.push(queueDir);
  const metrics = new Metrics();
  const queued = new QueuedSink({
    transport,
    queueDir,
    metrics,
    log: createLogger('silent', false),
    maxEntries,
    retry: { base: 1, max: 5 },
    journal,
  });
  const outcomes = async (): Promise<Record<string, number>> =>
    Object.fromEntries(
      (await metrics.sinkDeliveries.get()).values.map((v): [string, number] => [String(v.labels.outcome), v.value]),
    );
  return { queued, outcomes };
}

/** A journal whose fsyncs the test completes by hand (a fake for this unit only). */
class HeldJournal implements SyncedFile {
  syncTicket = 0;
  done = 0;
  readonly #waiting: { ticket: number; resolve: () => void }[] = [];
  synced(ticket: number): Promise<void> {
    if (ticket <= this.done) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push({ ticket, resolve }));
  }
  fsyncReturns(): void {
    this.done = this.syncTicket;
    for (const w of this.#waiting.splice(0)) if (w.ticket <= this.done) w.resolve();
  }
}

describe('QueuedSink', () => {
  it("delivers an alert only once its journal line has been fsync'd", async () => {
    const transport = new ScriptedTransport(() => ({ outcome: 'delivered' }));
    const journal = new HeldJournal();
    const { queued } = sink(transport, undefined, journal);
    const [a, b] = [alert(1), alert(2)];
    journal.syncTicket++; // a's line written
    queued.offer(a, false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(transport.sent).toEqual([]); // its fsync has not returned: nobody hears of it yet
    journal.fsyncReturns();
    await waitFor(() => transport.sent.length === 1);
    journal.syncTicket++; // b's line written
    queued.offer(b, false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(transport.sent).toEqual([a.id]);
    journal.fsyncReturns();
    expect(await queued.flush(5000)).toBe(true);
    expect(transport.sent).toEqual([a.id, b.id]);
    await queued.close();
  });

  it('retries the head until delivered and keeps the order behind it', async () => {
    const transport = new ScriptedTransport((n) =>
      n < 2 ? { outcome: 'retry', after: null, reason: '500' } : { outcome: 'delivered' },
    );
    const { queued, outcomes } = sink(transport);
    const [a, b] = [alert(1), alert(2)];
    queued.offer(a, false);
    queued.offer(b, false);
    expect(await queued.flush(5000)).toBe(true);
    expect(transport.sent).toEqual([a.id, a.id, a.id, b.id]);
    expect(await outcomes()).toEqual({ retry: 2, delivered: 2 });
    await queued.close();
  });

  it('skips an alert the receiver rejects for good and counts it failed', async () => {
    const transport = new ScriptedTransport((n) =>
      n === 0 ? { outcome: 'failed', reason: '400' } : { outcome: 'delivered' },
    );
    const { queued, outcomes } = sink(transport);
    queued.offer(alert(1), false);
    queued.offer(alert(2), false);
    await queued.flush(5000);
    expect(await outcomes()).toEqual({ failed: 1, delivered: 1 });
    await queued.close();
  });

  it('passes only alerts at or above its minimum severity', async () => {
    const transport = new ScriptedTransport(() => ({ outcome: 'delivered' }), 'high');
    const { queued } = sink(transport);
    const kept = alert(1, 'critical');
    queued.offer(alert(2, 'medium'), false);
    queued.offer(kept, false);
    await queued.flush(5000);
    expect(transport.sent).toEqual([kept.id]);
    await queued.close();
  });

  it('ignores repeats unless the transport wants them', async () => {
    const transport = new ScriptedTransport(() => ({ outcome: 'delivered' }));
    const { queued } = sink(transport);
    queued.offer(alert(1), true);
    await queued.flush(5000);
    expect(transport.sent).toEqual([]);
    await queued.close();
  });

  it('drops and counts alerts beyond its bound instead of growing', async () => {
    const transport = new ScriptedTransport(() => ({ outcome: 'retry', after: null, reason: 'down' }));
    const { queued, outcomes } = sink(transport, 2);
    for (let i = 1; i <= 5; i++) queued.offer(alert(i), false);
    expect(queued.depth).toBe(2);
    await waitFor(async () => (await outcomes()).dropped === 3, { what: 'three drops counted' });
    await queued.close();
  });
});
