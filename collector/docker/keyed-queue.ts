// Runs tasks one after another, in the order pushed, within a key, and concurrently across keys,
// at most `concurrency` at once. Docker's events about one container must be handled in the
// daemon's order (a destroy never overtaken by the start before it, whose inspect may be slower),
// but nothing makes an exec into one container wait on the inspects of fifty others being
// started: handled strictly one after another, four churning workers put the agent tens of
// seconds behind the daemon (docs/security.md, "Docker event lag under churn"). A key with more
// work waiting goes to the back of the line after each task, so one busy container cannot starve
// a quiet one of the slots.
//
// Written here rather than taken from npm: no dependency in package.json does this, and p-queue or
// p-limit (not dependencies) bound concurrency but know nothing of keys; what is needed is small.

export type KeyedTask = () => Promise<void>;

export class KeyedQueue {
  readonly concurrency: number;
  readonly #onError: (error: unknown, key: string) => void;
  /** Per key, the tasks not yet finished; the first is running or waiting for a slot. */
  readonly #byKey = new Map<string, KeyedTask[]>();
  /** Keys whose first task waits for a slot, oldest first, read from a moving head. */
  #ready: string[] = [];
  #head = 0;
  #running = 0;
  #pending = 0;
  #idle: (() => void)[] = [];

  /** `onError` hears of a task that threw or rejected; the key's next task runs all the same. */
  constructor(concurrency: number, onError: (error: unknown, key: string) => void) {
    if (!(Number.isInteger(concurrency) && concurrency >= 1))
      throw new RangeError(`KeyedQueue needs a concurrency of at least 1, not ${concurrency}`);
    this.concurrency = concurrency;
    this.#onError = onError;
  }

  /** Tasks pushed and not finished, running ones included. */
  get size(): number {
    return this.#pending;
  }

  get running(): number {
    return this.#running;
  }

  push(key: string, task: KeyedTask): void {
    this.#pending++;
    const waiting = this.#byKey.get(key);
    if (waiting) {
      waiting.push(task);
      return;
    }
    this.#byKey.set(key, [task]);
    this.#ready.push(key);
    this.#pump();
  }

  /** Resolves once every task pushed so far, and every task those pushed, has finished. */
  idle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    while (this.#running < this.concurrency && this.#head < this.#ready.length) {
      const key = this.#ready[this.#head++] as string;
      this.#run(key);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#ready.length) {
      this.#ready = this.#ready.slice(this.#head);
      this.#head = 0;
    }
  }

  #run(key: string): void {
    const tasks = this.#byKey.get(key) as KeyedTask[];
    const task = tasks[0] as KeyedTask;
    this.#running++;
    void (async () => {
      try {
        await task();
      } catch (error) {
        try {
          this.#onError(error, key);
        } catch {
          // A reporter that throws must not leave the key wedged with a slot taken.
        }
      }
      this.#running--;
      this.#pending--;
      tasks.shift();
      if (tasks.length > 0) this.#ready.push(key);
      else this.#byKey.delete(key);
      this.#pump();
      if (this.#pending === 0) for (const resolve of this.#idle.splice(0)) resolve();
    })();
  }
}
