// Which paths each running container created or modified after it started (what its overlay
// UpperDir gained). The file source fills it; the process source reads it so that an exec of such
// a path carries `drift: true` the moment it happens, even when the write and the exec are closer
// together than the file source's debounce. Deciding that this is an alert is the detectors' job.

import { BoundedMap } from '../../core/bounded-map.ts';

/** Per-container bound: past it the oldest entries go (a container rewriting its tree is not news). */
export const MAX_PATHS_PER_CONTAINER = 50_000;

export class DriftPaths {
  /** Per container, paths in the order they were last written (a BoundedMap: O(1) under a storm). */
  readonly #byContainer = new Map<string, BoundedMap<string, true>>();

  add(containerId: string, path: string): void {
    let paths = this.#byContainer.get(containerId);
    if (!paths) {
      paths = new BoundedMap(MAX_PATHS_PER_CONTAINER);
      this.#byContainer.set(containerId, paths);
    }
    paths.set(path, true);
  }

  delete(containerId: string, path: string): void {
    this.#byContainer.get(containerId)?.delete(path);
  }

  has(containerId: string, path: string): boolean {
    return this.#byContainer.get(containerId)?.has(path) ?? false;
  }

  paths(containerId: string): ReadonlySet<string> {
    return new Set(this.#byContainer.get(containerId)?.keys());
  }

  forget(containerId: string): void {
    this.#byContainer.delete(containerId);
  }
}
