// Events of a container Docker has not described yet. A container's entrypoint execs before
// Docker's `start` event reaches us (and before `inspect` answers), so its first process events
// wait for the container to enter the inventory — for a while, then they are dropped.
export class AwaitingContainers {
  readonly #waiting = new Map<string, { sends: (() => void)[]; timer: NodeJS.Timeout }>();
  readonly #waitMs: number;
  readonly #onDropped: (containerId: string, dropped: number) => void;

  constructor(waitMs: number, onDropped: (containerId: string, dropped: number) => void) {
    this.#waitMs = waitMs;
    this.#onDropped = onDropped;
  }

  /** Keeps `send` until release(containerId), at most waitMs after the container's first held event. */
  hold(containerId: string, send: () => void): void {
    const waiting = this.#waiting.get(containerId);
    if (waiting) {
      waiting.sends.push(send);
      return;
    }
    const timer = setTimeout(() => {
      const dropped = this.#waiting.get(containerId)?.sends.length ?? 0;
      this.#waiting.delete(containerId);
      this.#onDropped(containerId, dropped);
    }, this.#waitMs);
    timer.unref();
    this.#waiting.set(containerId, { sends: [send], timer });
  }

  /** The container is described now: its held events go, in order. */
  release(containerId: string): void {
    const waiting = this.#waiting.get(containerId);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.#waiting.delete(containerId);
    for (const send of waiting.sends) send();
  }

  clear(): void {
    for (const { timer } of this.#waiting.values()) clearTimeout(timer);
    this.#waiting.clear();
  }
}
