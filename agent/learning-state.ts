// DESIGN's learning window, measured from when this agent first saw a workload's first container:
// `learning` until first-seen + learn, then `monitoring` (learn = 0: policy only, monitoring at
// once). A stand-in for the baseline store's stateOf, which persists first-seen across restarts;
// the lead swaps it in pipeline.ts once that store exists. Isolation is the response module's.
import type { ShipwatchEvent } from '../collector/events.ts';
import type { ContainerInfo } from '../collector/inventory-types.ts';
import type { ContainerState } from './routes/containers.ts';

export class WorkloadFirstSeen {
  readonly #firstSeen = new Map<string, number>();
  readonly #learnMs: number;
  readonly #now: () => number;

  constructor(learnMs: number, now: () => number = Date.now) {
    this.#learnMs = learnMs;
    this.#now = now;
  }

  /** Feed it the bus: the first container event of a workload starts its window. */
  readonly observe = (event: ShipwatchEvent): void => {
    if (event.kind === 'container.created' || event.kind === 'container.started') this.#see(event.container.workload);
  };

  readonly stateOf = (container: ContainerInfo): ContainerState => {
    const first = this.#see(container.workload);
    return this.#now() < first + this.#learnMs ? 'learning' : 'monitoring';
  };

  #see(workload: string): number {
    let first = this.#firstSeen.get(workload);
    if (first === undefined) {
      first = this.#now();
      this.#firstSeen.set(workload, first);
    }
    return first;
  }
}
