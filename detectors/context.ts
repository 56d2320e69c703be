// What a detector may look at besides its own state and the event: the clock, the frozen parts of
// the config it needs, and read-only lookups. Plain data and functions only, never the Inventory
// or anything holding Docker, so a unit test builds a context from a literal.
import type { ContainerRef, ShipwatchEvent } from '../collector/events.ts';
import type { Phase, WorkloadBaseline } from './baseline.ts';
import type { EgressRule } from './egress-allowlist.ts';
import type { Finding } from '../findings/index.ts';

export interface DetectorConfig {
  /** Learning window per workload in ms; 0 = policy only. */
  learnMs: number;
  egressAllowlist: readonly EgressRule[];
  /** Zone pairs allowed to talk (either direction); a zone may always talk to itself. */
  zoneAllow: readonly (readonly [string, string])[];
  /** Registries images may come from; empty = no check. */
  trustedRegistries: readonly string[];
}

export interface DetectorContext {
  /** Wall clock of the runner, epoch ms (fixed in tests). */
  now: number;
  config: DetectorConfig;
  /** Docker networks (by name) a container is on now; null when the container is unknown. */
  networksOf: (containerId: string) => readonly string[] | null;
  /** Zone of a network (its shipwatch.zone label, the config mapping, else its own name). */
  zoneOf: (network: string) => string;
  /** The workload's baseline as learned so far (null before its first event). */
  baseline: (workload: string) => WorkloadBaseline | null;
  phase: (workload: string) => Phase;
  /**
   * `server` is one of the container's DNS resolvers: configured for it (--dns, resolv.conf), an
   * upstream Docker's embedded DNS forwards to, or one its workload used while learning.
   */
  isResolver: (client: ContainerRef, server: string) => boolean;
}

export interface StepResult<S> {
  state: S;
  findings: Finding[];
}

/**
 * A detector is a deterministic reducer. `step` may update `state` in place and return it: the
 * runner owns every state and never shares one between detectors.
 */
export interface Detector<S> {
  readonly name: string;
  initialState(): S;
  step(state: S, event: ShipwatchEvent, ctx: DetectorContext): StepResult<S>;
}

/** Fine-grained zone check shared by the network rules. */
export function zonesAllowed(config: DetectorConfig, a: string, b: string): boolean {
  if (a === b) return true;
  return config.zoneAllow.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
}
