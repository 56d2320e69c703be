import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyedQueue } from '../../../../collector/docker/keyed-queue.ts';

/** A task the test finishes by hand, and whether it has started. */
function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  const g = {
    started: false,
    open,
    fail,
    task: () => {
      g.started = true;
      return done;
    },
  };
  return g;
}

/** A task that does its work at once. */
const atOnce = (work: () => void) => () => {
  work();
  return Promise.resolve();
};
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const noErrors = (error: unknown) => {
  throw error;
};

describe('KeyedQueue', () => {
  it('runs the tasks of different keys at once: a slow one holds up only its own key', async () => {
    const queue = new KeyedQueue(8, noErrors);
    const slow = gate();
    const quiet = gate();
    queue.push('container:a', slow.task);
    queue.push('container:b', quiet.task);
    expect([slow.started, quiet.started]).toEqual([true, true]);
    quiet.open();
    slow.open();
    await queue.idle();
  });

  it("keeps a key's order: a destroy waits for the start before it, however long that takes", async () => {
    const queue = new KeyedQueue(8, noErrors);
    const order: string[] = [];
    const start = gate();
    queue.push('container:a', async () => {
      await start.task();
      order.push('start');
    });
    queue.push(
      'container:a',
      atOnce(() => order.push('destroy')),
    );
    await settle();
    expect(order).toEqual([]);
    start.open();
    await queue.idle();
    expect(order).toEqual(['start', 'destroy']);
  });

  it('never runs more than its concurrency at once, and starts the next as a slot frees', async () => {
    const queue = new KeyedQueue(2, noErrors);
    const gates = [gate(), gate(), gate()];
    gates.forEach((g, i) => queue.push(`k${i}`, g.task));
    expect(gates.map((g) => g.started)).toEqual([true, true, false]);
    expect(queue.running).toBe(2);
    gates[1]!.open();
    await settle();
    expect(gates[2]!.started).toBe(true);
    gates[0]!.open();
    gates[2]!.open();
    await queue.idle();
    expect(queue.running).toBe(0);
  });

  it('gives a quiet key its turn between the tasks of a busy one', async () => {
    const queue = new KeyedQueue(1, noErrors);
    const order: string[] = [];
    const first = gate();
    queue.push('busy', async () => {
      await first.task();
      order.push('busy1');
    });
    for (const n of [2, 3])
      queue.push(
        'busy',
        atOnce(() => order.push(`busy${n}`)),
      );
    queue.push(
      'quiet',
      atOnce(() => order.push('quiet')),
    );
    first.open();
    await queue.idle();
    expect(order).toEqual(['busy1', 'quiet', 'busy2', 'busy3']);
  });

  it('waits in idle() for what runs and what waits, tasks pushed meanwhile included', async () => {
    const queue = new KeyedQueue(1, noErrors);
    const running = gate();
    let later = false;
    queue.push('a', running.task);
    let idle = false;
    const waiting = queue.idle().then(() => (idle = true));
    queue.push(
      'b',
      atOnce(() => (later = true)),
    );
    await settle();
    expect(idle).toBe(false);
    running.open();
    await waiting;
    expect(later).toBe(true);
    expect(queue.size).toBe(0);
    await queue.idle(); // at once when there is nothing
  });

  it('reports a task that fails and runs the rest of its key', async () => {
    const errors: [string, string][] = [];
    const queue = new KeyedQueue(4, (error, key) => errors.push([key, (error as Error).message]));
    let after = false;
    queue.push('a', () => Promise.reject(new Error('inspect failed')));
    queue.push('a', () => {
      throw new Error('thrown at once');
    });
    queue.push(
      'a',
      atOnce(() => (after = true)),
    );
    await queue.idle();
    expect(errors).toEqual([
      ['a', 'inspect failed'],
      ['a', 'thrown at once'],
    ]);
    expect(after).toBe(true);
  });

  it('refuses a concurrency below one', () => {
    expect(() => new KeyedQueue(0, noErrors)).toThrow(RangeError);
  });

  it('keeps per-key order and its bound whatever the keys and the durations', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.record({ key: fc.integer({ min: 0, max: 5 }), ticks: fc.integer({ min: 0, max: 3 }) }), {
          maxLength: 60,
        }),
        async (concurrency, tasks) => {
          const queue = new KeyedQueue(concurrency, noErrors);
          const done: number[][] = [[], [], [], [], [], []];
          let inFlight = 0;
          let most = 0;
          tasks.forEach(({ key, ticks }, i) =>
            queue.push(String(key), async () => {
              most = Math.max(most, ++inFlight);
              for (let t = 0; t < ticks; t++) await settle();
              inFlight--;
              done[key]!.push(i);
            }),
          );
          await queue.idle();
          expect(most).toBeLessThanOrEqual(concurrency);
          for (let key = 0; key < 6; key++) {
            const pushed = tasks.flatMap((t, i) => (t.key === key ? [i] : []));
            expect(done[key]).toEqual(pushed);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
