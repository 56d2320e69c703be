import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeadlineExceeded, withDeadline } from '../../../../collector/docker/deadline.ts';

describe('withDeadline', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives the answer of a call that answers in time', async () => {
    await expect(withDeadline('inspect', 1000, () => Promise.resolve(42))).resolves.toBe(42);
  });

  it('ends a call that never answers at the deadline, and aborts its signal', async () => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    const pending = withDeadline('inspect of container abc', 5000, (s) => {
      signal = s;
      return new Promise<never>(() => undefined);
    });
    const outcome = expect(pending).rejects.toThrow(DeadlineExceeded);
    await vi.advanceTimersByTimeAsync(4999);
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await outcome;
    expect(signal?.aborted).toBe(true);
    await expect(pending).rejects.toThrow('inspect of container abc: no answer within 5000 ms');
  });

  it("passes on the call's own failure, and one thrown before it returned a promise", async () => {
    await expect(withDeadline('inspect', 1000, () => Promise.reject(new Error('404')))).rejects.toThrow('404');
    await expect(
      withDeadline('inspect', 1000, () => {
        throw new Error('bad id');
      }),
    ).rejects.toThrow('bad id');
  });
});
