// Shared baselines: one KV entry per workload in the fleet's bucket. A host's learned baseline is
// merged into the entry with compare-and-set on its revision (a stale revision means another host
// wrote first: read again, merge again), a replacement (PUT, import) or reset is written as it is,
// and every agent watches the bucket. Each entry is an envelope saying which host (and token) wrote
// it and how, so the bucket's history is the audit trail of policy changes.
//
// fleet/ may not import detectors/ (DESIGN.md): the baseline itself is opaque here; the agent
// passes the detectors' validation and merge functions in.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { Logger } from '../core/logger.ts';
import { workloadKey } from './subjects.ts';

export const BASELINE_FORMAT = 'shipwatch.baseline/1';

const envelopeSchema = z.strictObject({
  format: z.literal(BASELINE_FORMAT),
  host: z.string().min(1),
  /** The token's name for a replacement through the API; null for what a host learned. */
  by: z.string().nullable(),
  op: z.enum(['learned', 'replaced']),
  at: z.string(),
  baseline: z.unknown(),
});

export interface BaselineCodec<B> {
  /** Validates an entry's baseline for this workload; throws naming what is wrong. */
  parse(raw: unknown, workload: string): B;
  merge(existing: B, learned: B): B;
  workloadOf(baseline: B): string;
}

export interface RemoteBaseline<B> {
  workload: string;
  /** null: the workload was reset fleet-wide. */
  baseline: B | null;
  host: string;
  by: string | null;
  op: 'learned' | 'replaced' | 'reset';
  revision: number;
}

export interface BaselineSyncOptions<B> {
  /** The bucket once the bus is connected; null before. */
  kv: () => KV | null;
  host: string;
  codec: BaselineCodec<B>;
  log: Logger;
  onRemote: (remote: RemoteBaseline<B>) => void;
  /** Compare-and-set attempts before giving up until the next sync. */
  maxAttempts?: number;
}

export class BaselineSync<B> {
  readonly #o: BaselineSyncOptions<B>;
  /** KV key → workload, for delete markers (whose key is all they carry). */
  readonly #workloads = new Map<string, string>();
  /** Compare-and-set writes that lost to another host's write and were merged again. */
  conflicts = 0;
  rejected = 0;
  #watch: { stop(): void } | null = null;

  constructor(options: BaselineSyncOptions<B>) {
    this.#o = options;
  }

  #kv(): KV {
    const kv = this.#o.kv();
    if (!kv) throw new Error('fleet bus not connected');
    return kv;
  }

  #envelope(baseline: unknown, op: 'learned' | 'replaced', by: string | null): string {
    return JSON.stringify({
      format: BASELINE_FORMAT,
      host: this.#o.host,
      by,
      op,
      at: new Date().toISOString(),
      baseline,
    });
  }

  /** Merges what this host learned into the fleet's entry; returns the stored (merged) baseline. */
  async mergeLearned(learned: B): Promise<B> {
    const { codec } = this.#o;
    const kv = this.#kv();
    const workload = codec.workloadOf(learned);
    const key = workloadKey(workload);
    this.#workloads.set(key, workload);
    const attempts = this.#o.maxAttempts ?? 30;
    for (let attempt = 1; ; attempt++) {
      const entry = await kv.get(key);
      const current = entry && entry.operation === 'PUT' ? this.#decode(entry.key, entry.json(), false) : null;
      const merged = current?.baseline ? codec.merge(current.baseline, learned) : learned;
      try {
        if (entry) await kv.update(key, this.#envelope(merged, 'learned', null), entry.revision);
        else await kv.create(key, this.#envelope(merged, 'learned', null));
        return merged;
      } catch (error) {
        // A wrong last sequence: another host wrote in between. Anything else is the bus's trouble.
        if (!/wrong last sequence|key exists/i.test(String(error)) || attempt >= attempts) throw error;
        this.conflicts += 1;
        // A little jitter, so writers that keep colliding on one hot entry fall out of step.
        await sleep(Math.random() * 10 * attempt);
      }
    }
  }

  /** A replacement (PUT, import): the fleet takes it as it is. */
  async replace(baseline: B, by: string | null): Promise<void> {
    const workload = this.#o.codec.workloadOf(baseline);
    this.#workloads.set(workloadKey(workload), workload);
    await this.#kv().put(workloadKey(workload), this.#envelope(baseline, 'replaced', by));
  }

  /** A reset: every host forgets the workload's baseline and learns it again. */
  async reset(workload: string): Promise<void> {
    this.#workloads.set(workloadKey(workload), workload);
    await this.#kv().delete(workloadKey(workload));
  }

  /** Watches the bucket: the current entries first, then every change, until stop(). */
  async start(): Promise<void> {
    const watch = await this.#kv().watch();
    this.#watch = watch;
    void (async () => {
      for await (const entry of watch) this.#apply(entry);
    })().catch((error: unknown) => this.#o.log.error({ err: error }, 'baseline watch ended'));
  }

  stop(): void {
    this.#watch?.stop();
    this.#watch = null;
  }

  #apply(entry: KvWatchEntry): void {
    if (entry.operation !== 'PUT') {
      const workload = this.#workloads.get(entry.key);
      if (workload === undefined) return; // a workload this agent never heard of: nothing to forget
      this.#o.onRemote({ workload, baseline: null, host: 'unknown', by: null, op: 'reset', revision: entry.revision });
      return;
    }
    let raw: unknown;
    try {
      raw = entry.json();
    } catch {
      raw = undefined;
    }
    const decoded = this.#decode(entry.key, raw, true);
    if (!decoded) return;
    this.#o.onRemote({ ...decoded, revision: entry.revision });
  }

  /** A valid entry of this bucket, or null with a log line (when `loud`) naming why not. */
  #decode(key: string, raw: unknown, loud: boolean): Omit<RemoteBaseline<B>, 'revision'> | null {
    const reject = (why: string) => {
      if (loud) {
        this.rejected += 1;
        this.#o.log.warn({ key, why }, 'fleet baseline entry rejected');
      }
      return null;
    };
    const envelope = envelopeSchema.safeParse(raw);
    if (!envelope.success) return reject(`not a ${BASELINE_FORMAT} entry: ${envelope.error.issues[0]?.message ?? ''}`);
    const workloadOfRaw = (envelope.data.baseline as { workload?: unknown } | null)?.workload;
    if (typeof workloadOfRaw !== 'string' || workloadKey(workloadOfRaw) !== key)
      return reject(`entry under ${key} is for workload ${String(workloadOfRaw)}`);
    let baseline: B;
    try {
      baseline = this.#o.codec.parse(envelope.data.baseline, workloadOfRaw);
    } catch (error) {
      return reject(`invalid baseline: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
    this.#workloads.set(key, workloadOfRaw);
    const { host, by, op } = envelope.data;
    return { workload: workloadOfRaw, baseline, host, by, op };
  }
}
