// Shared baselines, wired: this host's baselines and the fleet bucket kept in step. Every second,
// a learned baseline that finished learning and differs from what the fleet last said is merged
// into the bucket (compare-and-set, fleet/baseline-sync.ts) and the merge is applied here too; a
// PUT/import is written as a replacement with the token's name; a local reset deletes the entry.
// What other hosts write is applied at once: a workload learned anywhere is monitored here. The
// local state directory keeps a copy (Detection saves applied baselines like learned ones), so
// an agent that starts while the bus is down still monitors.
import type { Logger } from '../core/logger.ts';
import type { BaselineSync, RemoteBaseline } from '../fleet/index.ts';
import { mergeBaselines, parseBaseline, type DetectorRunner, type WorkloadBaseline } from '../detectors/index.ts';
import type { BaselineCodec } from '../fleet/index.ts';

export const SYNC_INTERVAL_MS = 1000;

export const baselineCodec: BaselineCodec<WorkloadBaseline> = {
  parse: (raw, workload) => parseBaseline(raw, workload),
  merge: mergeBaselines,
  workloadOf: (baseline) => baseline.workload,
};

const canonical = (baseline: WorkloadBaseline) => JSON.stringify(baseline);

export class FleetBaselines {
  readonly #runner: DetectorRunner;
  readonly #log: Logger;
  readonly #sync: BaselineSync<WorkloadBaseline>;
  /** workload → the fleet entry's baseline as last seen or written (canonical JSON). */
  readonly #shared = new Map<string, string>();
  /** Workloads replaced through the API since the last sync, with the actor. */
  readonly #replaced = new Map<string, string>();
  #busy = false;
  #timer: NodeJS.Timeout | null = null;

  readonly #connected: () => boolean;

  constructor(runner: DetectorRunner, sync: BaselineSync<WorkloadBaseline>, connected: () => boolean, log: Logger) {
    this.#runner = runner;
    this.#connected = connected;
    this.#sync = sync;
    this.#log = log;
  }

  start(): void {
    this.#timer = setInterval(() => void this.sync(), SYNC_INTERVAL_MS).unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** A PUT, import or reset through this agent's API: written to the fleet as it is, now. */
  replaced(workload: string, actor: string): void {
    this.#replaced.set(workload, actor);
    void this.sync();
  }

  /** Another host's (or this host's echoed) write. */
  readonly onRemote = (remote: RemoteBaseline<WorkloadBaseline>): void => {
    const { workload } = remote;
    const local = this.#runner.baseline(workload);
    const before = this.#shared.get(workload);
    if (remote.baseline === null) {
      this.#shared.delete(workload);
      if (local && this.#runner.resetBaseline(workload))
        this.#log.info({ workload, revision: remote.revision }, 'fleet baseline reset applied');
      return;
    }
    const text = canonical(remote.baseline);
    this.#shared.set(workload, text);
    if (local && canonical(local) === text) return;
    // What this host learned and has not yet written is kept: merged, and written by the next sync.
    const unwritten =
      local !== null &&
      remote.op === 'learned' &&
      local.mode === 'learned' &&
      this.#runner.phase(workload) === 'monitoring' &&
      before !== canonical(local);
    this.#runner.putBaseline(unwritten ? mergeBaselines(remote.baseline, local) : remote.baseline);
    this.#log.info(
      { workload, from: remote.host, by: remote.by, op: remote.op, revision: remote.revision, merged: unwritten },
      'fleet baseline applied',
    );
  };

  /** One pass over this host's baselines; a failure is logged and retried next second. */
  async sync(): Promise<void> {
    if (this.#busy || !this.#connected()) return;
    this.#busy = true;
    try {
      for (const baseline of this.#runner.baselines()) {
        const { workload } = baseline;
        const text = canonical(baseline);
        const actor = this.#replaced.get(workload);
        if (actor !== undefined) {
          await this.#sync.replace(baseline, actor);
          this.#replaced.delete(workload);
          this.#shared.set(workload, text);
          continue;
        }
        if (this.#shared.get(workload) === text) continue;
        if (baseline.mode !== 'learned' || this.#runner.phase(workload) !== 'monitoring') continue;
        const merged = await this.#sync.mergeLearned(baseline);
        const mergedText = canonical(merged);
        this.#shared.set(workload, mergedText);
        if (mergedText !== text) this.#runner.putBaseline(merged);
      }
      for (const workload of [...this.#shared.keys()]) {
        if (this.#runner.baseline(workload)) continue;
        await this.#sync.reset(workload);
        this.#shared.delete(workload);
        this.#replaced.delete(workload);
      }
      for (const workload of [...this.#replaced.keys()])
        if (!this.#runner.baseline(workload)) this.#replaced.delete(workload);
    } catch (error) {
      this.#log.warn({ err: error }, 'fleet baseline sync failed; retrying');
    } finally {
      this.#busy = false;
    }
  }
}
