// The runner owns every detector's state and the learner's baselines. For each event it builds
// the context, feeds the event to every detector (each sees the baselines as they were before the
// event), learns from the event, applies the suppressions, and hands what is left to the callback
// (the alert pipeline). The operator's per-rule `rules:` settings (enabled, severity) are not
// applied here but in the AlertFactory, the one place every finding passes, detectors' and
// response actions' alike: applied twice, the two could drift.
import type { ContainerRef, ShipwatchEvent } from '../collector/events.ts';
import { phaseOf, type Phase, type WorkloadBaseline } from './baseline.ts';
import { ensureBaseline, initialLearnerState, learnStep, workloadsOf, type LearnerState } from './baseline-learn.ts';
import type { Detector, DetectorConfig, DetectorContext } from './context.ts';
import type { Finding } from '../findings/index.ts';
import { Suppressions, type Suppression, type SuppressionStatus } from './suppressions.ts';

export interface RunnerOptions {
  config: DetectorConfig;
  detectors: readonly Detector<unknown>[];
  suppressions?: readonly Suppression[];
  networksOf: (containerId: string) => readonly string[] | null;
  zoneOf: (network: string) => string;
  /** Whether a server is one of the container's DNS resolvers (DetectorContext.isResolver); none when absent. */
  isResolver?: (client: ContainerRef, server: string) => boolean;
  clock?: () => number;
  /** Baselines loaded from the state directory at start. */
  baselines?: Iterable<WorkloadBaseline>;
  onFinding: (finding: Finding) => void;
  onSuppressed?: (finding: Finding, by: Suppression) => void;
}

export interface RunnerCounts {
  findings: number;
  suppressed: number;
}

interface Slot {
  detector: Detector<unknown>;
  state: unknown;
}

export class DetectorRunner {
  readonly #o: RunnerOptions;
  readonly #slots: Slot[];
  #suppressions: Suppressions;
  #config: DetectorConfig;
  readonly #clock: () => number;
  #learner: LearnerState;
  readonly #dirty = new Set<string>();
  readonly counts: RunnerCounts = { findings: 0, suppressed: 0 };

  constructor(options: RunnerOptions) {
    this.#o = options;
    this.#config = options.config;
    this.#clock = options.clock ?? Date.now;
    this.#slots = options.detectors.map((detector) => ({ detector, state: detector.initialState() }));
    this.#suppressions = new Suppressions(options.suppressions ?? []);
    this.#learner = initialLearnerState(options.baselines);
  }

  /** Feeds one event through every detector; returns the findings delivered to the callback. */
  handle(event: ShipwatchEvent): Finding[] {
    const now = this.#clock();
    const { learnMs } = this.#config;
    const workloads = workloadsOf(event);
    for (const w of workloads) {
      ensureBaseline(this.#learner, w, now, learnMs);
      const b = this.#learner.baselines.get(w);
      if (b && (phaseOf(b, now) === 'learning' || Object.keys(b.resourceSamples).length > 0)) this.#dirty.add(w);
    }
    const ctx = this.#context(now);
    const raw: Finding[] = [];
    for (const slot of this.#slots) {
      const result = slot.detector.step(slot.state, event, ctx);
      slot.state = result.state;
      raw.push(...result.findings);
    }
    this.#learner = learnStep(this.#learner, event, now, learnMs);
    const delivered: Finding[] = [];
    for (const finding of raw) {
      const by = this.#suppressions.check(finding, now);
      if (by) {
        this.counts.suppressed += 1;
        this.#o.onSuppressed?.(finding, by);
        continue;
      }
      this.counts.findings += 1;
      delivered.push(finding);
      this.#o.onFinding(finding);
    }
    return delivered;
  }

  #context(now: number): DetectorContext {
    const baselines = this.#learner.baselines;
    return {
      now,
      config: this.#config,
      networksOf: this.#o.networksOf,
      zoneOf: this.#o.zoneOf,
      baseline: (workload) => baselines.get(workload) ?? null,
      phase: (workload) => phaseOf(baselines.get(workload) ?? null, now),
      isResolver: this.#o.isResolver ?? (() => false),
    };
  }

  /**
   * A reloaded config (SIGHUP): allowlist, zone pairs, trusted registries and suppressions apply
   * from the next event on. Detector state and baselines stay; suppression counts restart.
   */
  reconfigure(config: DetectorConfig, suppressions: readonly Suppression[]): void {
    this.#config = config;
    this.#suppressions = new Suppressions(suppressions);
  }

  phase(workload: string): Phase {
    return phaseOf(this.#learner.baselines.get(workload) ?? null, this.#clock());
  }

  baseline(workload: string): WorkloadBaseline | null {
    return this.#learner.baselines.get(workload) ?? null;
  }

  baselines(): WorkloadBaseline[] {
    return [...this.#learner.baselines.values()];
  }

  /** Replaces a workload's baseline (API PUT, CLI import): policy as code. */
  putBaseline(baseline: WorkloadBaseline): void {
    this.#learner.baselines.set(baseline.workload, baseline);
    this.#dirty.add(baseline.workload);
  }

  /** Forgets a workload's baseline: it learns again from its next event. */
  resetBaseline(workload: string): boolean {
    this.#dirty.add(workload);
    return this.#learner.baselines.delete(workload);
  }

  /** Workloads whose baseline changed since the last call (for the store). */
  takeDirty(): string[] {
    const out = [...this.#dirty];
    this.#dirty.clear();
    return out;
  }

  suppressions(): SuppressionStatus[] {
    return this.#suppressions.status();
  }
}
