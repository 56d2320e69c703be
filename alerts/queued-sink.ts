// A transport behind its persistent queue: `offer()` appends to disk and returns at once (the
// pipeline never waits on a receiver); one delivery loop sends the head, acknowledges it when
// delivered or failed for good, and backs off on retry. One request in flight per sink keeps order.
import { setTimeout as sleep } from 'node:timers/promises';
import { meetsSeverity } from './alert.ts';
import { sinkTakes, type Deliverable } from './incident-delivery.ts';
import { DeliveryQueue } from './delivery-queue.ts';
import type { JournalLine } from './journal-catchup.ts';
import type { Metrics } from './metrics.ts';
import { backoffDelay, type RetryPolicy, DEFAULT_RETRY } from './retry-policy.ts';
import type { SyncedFile } from './group-sync.ts';
import type { AlertTransport, SendResult } from './sink.ts';
import type { Logger } from '../core/logger.ts';

export interface QueuedSinkOptions {
  transport: AlertTransport;
  queueDir: string;
  metrics: Metrics;
  log: Logger;
  maxEntries?: number;
  retry?: RetryPolicy;
  /** The journal each alert was written to before it was offered: it is delivered once fsync'd there. */
  journal?: SyncedFile;
}

// An overflow is logged at most once per minute; the counter has every one.
const OVERFLOW_LOG_INTERVAL = 60_000;

export class QueuedSink {
  readonly transport: AlertTransport;
  readonly #queue: DeliveryQueue;
  readonly #o: QueuedSinkOptions;
  readonly #stop = new AbortController();
  #wake: (() => void) | null = null;
  #idle: (() => void)[] = [];
  #loop: Promise<void>;
  #lastOverflowLog = 0;
  /**
   * For each entry offered since start, in queue order: the journal's and the queue's sync tickets
   * when it was written (group-sync.ts). Entries found on disk at start come first, without.
   */
  readonly #tickets: [journal: number, queue: number][] = [];
  #untracked: number;

  constructor(options: QueuedSinkOptions) {
    this.#o = options;
    this.transport = options.transport;
    this.#queue = new DeliveryQueue({ dir: options.queueDir, maxEntries: options.maxEntries });
    this.#untracked = this.#queue.depth;
    this.#gauge();
    this.#loop = this.#run();
  }

  get depth(): number {
    return this.#queue.depth;
  }

  get name(): string {
    return this.transport.name;
  }

  /** The newest journal line this sink was offered (journal-catchup.ts). */
  get lastAlert(): JournalLine | null {
    return this.#queue.lastAlert;
  }

  /** Records that every journal line up to `line` has been offered to this sink. */
  mark(line: JournalLine): void {
    this.#queue.mark(line);
  }

  /** Queues an alert (or incident notice) for delivery if it passes the sink's filters; never waits on the receiver. */
  offer(alert: Deliverable, repeat: boolean): void {
    if (!sinkTakes(this.transport.deliver, alert)) return;
    if (repeat && !this.transport.wantsRepeats) return;
    if (!meetsSeverity(alert, this.transport.minSeverity)) return;
    let kept: boolean;
    try {
      kept = this.#queue.push(alert);
    } catch (error) {
      this.#o.log.error({ err: error, sink: this.transport.name, alert: alert.id }, 'sink queue write failed');
      kept = false;
    }
    if (!kept) {
      this.#count('dropped');
      const now = Date.now();
      if (now - this.#lastOverflowLog > OVERFLOW_LOG_INTERVAL) {
        this.#lastOverflowLog = now;
        this.#o.log.warn({ sink: this.transport.name, depth: this.#queue.depth }, 'sink queue full, dropping alerts');
      }
      return;
    }
    this.#tickets.push([this.#o.journal?.syncTicket ?? 0, this.#queue.syncTicket]);
    this.#gauge();
    this.#wake?.();
  }

  /** Resolves when the queue is empty, or after `timeout` ms; true when empty. */
  async flush(timeout = 5000): Promise<boolean> {
    if (this.#queue.depth === 0) return true;
    const emptied = new Promise<true>((resolve) => this.#idle.push(() => resolve(true)));
    return Promise.race([emptied, sleep(timeout, false, { ref: false })]);
  }

  /** Stops the loop (an in-flight request is aborted); what is queued stays on disk for next start. */
  async close(): Promise<void> {
    this.#stop.abort();
    this.#wake?.();
    await this.#loop;
    this.#queue.close();
  }

  async #run(): Promise<void> {
    let attempt = 0;
    while (!this.#stop.signal.aborted) {
      const head = this.#queue.peek();
      if (!head) {
        for (const resolve of this.#idle.splice(0)) resolve();
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = null;
        continue;
      }
      // No receiver hears of an alert whose line a crash of the machine could still take: wait
      // for the fsyncs (in the thread pool, group-sync.ts) of its journal line and queue entry.
      const [journalTicket, queueTicket] = (this.#untracked > 0 ? undefined : this.#tickets[0]) ?? [0, 0];
      await Promise.all([this.#o.journal?.synced(journalTicket), this.#queue.synced(queueTicket)]);
      const result = await this.#send(head.alert);
      if (this.#stop.signal.aborted) break; // aborted mid-request: not acknowledged, resent next start
      this.#count(result.outcome);
      if (result.outcome === 'retry') {
        attempt++;
        const delay = backoffDelay(attempt, result.after, this.#o.retry ?? DEFAULT_RETRY);
        this.#o.log.debug({ sink: this.transport.name, reason: result.reason, delay }, 'sink delivery retry');
        await sleep(delay, undefined, { signal: this.#stop.signal }).catch(() => undefined);
        continue;
      }
      if (result.outcome === 'failed') {
        this.#o.log.error(
          { sink: this.transport.name, alert: head.alert.id, reason: result.reason },
          'sink rejected alert',
        );
      }
      attempt = 0;
      this.#queue.ack(head.seq);
      if (this.#untracked > 0) this.#untracked--;
      else this.#tickets.shift();
      this.#gauge();
    }
  }

  async #send(alert: Deliverable): Promise<SendResult> {
    try {
      return await this.transport.send(alert, this.#stop.signal);
    } catch (error) {
      // A transport that throws is a bug; retrying keeps the alert rather than losing it.
      return { outcome: 'retry', after: null, reason: `transport threw: ${String(error)}` };
    }
  }

  #count(outcome: string): void {
    this.#o.metrics.sinkDeliveries.inc({ sink: this.transport.name, outcome });
  }

  #gauge(): void {
    this.#o.metrics.sinkQueueDepth.set({ sink: this.transport.name }, this.#queue.depth);
  }
}
