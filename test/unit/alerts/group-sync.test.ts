import { describe, expect, it } from 'vitest';
import { GroupSync, type PoolFsync } from '../../../alerts/group-sync.ts';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A thread pool held by the test: each fsync waits in `calls` until the test finishes it. */
function heldPool(): { pool: PoolFsync; calls: { fd: number; finish: (error?: NodeJS.ErrnoException) => void }[] } {
  const calls: { fd: number; finish: (error?: NodeJS.ErrnoException) => void }[] = [];
  return { calls, pool: (fd, done) => calls.push({ fd, finish: (error) => done(error ?? null) }) };
}

describe('GroupSync', () => {
  it('fsyncs a descriptor once from the end of the turn however often it was asked, off the main thread', async () => {
    const { pool, calls } = heldPool();
    const onSpot: number[] = [];
    const sync = new GroupSync(
      () => {},
      pool,
      (fd) => onSpot.push(fd),
    );
    for (let i = 0; i < 500; i++) sync.soon(7);
    expect(calls).toEqual([]);
    await nextTurn();
    expect(calls.map((c) => c.fd)).toEqual([7]);
    calls[0]!.finish();
    sync.soon(7);
    await nextTurn();
    expect(calls.map((c) => c.fd)).toEqual([7, 7]);
    expect(onSpot).toEqual([]);
  });

  it('runs one fsync at a time: lines written while one is in the pool wait for the next, started when it returns', async () => {
    const { pool, calls } = heldPool();
    const sync = new GroupSync(() => {}, pool);
    sync.soon(7);
    await nextTurn();
    for (let turn = 0; turn < 3; turn++) {
      sync.soon(7);
      await nextTurn();
    }
    expect(calls).toHaveLength(1); // three turns of lines behind the one running
    calls[0]!.finish();
    expect(calls.map((c) => c.fd)).toEqual([7, 7]); // one fsync covers them all
    calls[1]!.finish();
    await nextTurn();
    expect(calls).toHaveLength(2);
  });

  it('syncs every pending descriptor on the spot when asked to (before a close) or when another replaces it', async () => {
    const { pool, calls } = heldPool();
    const onSpot: number[] = [];
    const sync = new GroupSync(
      () => {},
      pool,
      (fd) => onSpot.push(fd),
    );
    sync.soon(3);
    sync.now();
    expect(onSpot).toEqual([3]);
    sync.soon(4);
    sync.soon(5); // a rotation swapped the descriptor: 4 may be closed before the turn ends
    expect(onSpot).toEqual([3, 4]);
    await nextTurn();
    expect(calls.map((c) => c.fd)).toEqual([5]);
    sync.soon(5);
    await nextTurn(); // queued behind the running one
    sync.now(); // the running one and the queued one: synced here, whatever the pool does
    expect(onSpot).toEqual([3, 4, 5]);
    sync.now(); // nothing pending
    expect(onSpot).toEqual([3, 4, 5]);
    calls[0]!.finish();
    expect(calls).toHaveLength(1); // the queued one was synced on the spot: not again
  });

  it('reports a failed fsync as an Error, but not one from the pool that now() has synced since', async () => {
    const errors: Error[] = [];
    const sync = new GroupSync((error) => errors.push(error));
    sync.soon(2 ** 30); // no such descriptor: EBADF from the real fsync, in the real pool
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(errors).toHaveLength(1);
    expect((errors[0] as NodeJS.ErrnoException).code).toBe('EBADF');

    const { pool, calls } = heldPool();
    const late: Error[] = [];
    const held = new GroupSync(
      (error) => late.push(error),
      pool,
      () => {},
    );
    held.soon(9);
    await nextTurn();
    held.now();
    calls[0]!.finish(Object.assign(new Error('EBADF: closed'), { code: 'EBADF' }));
    expect(late).toEqual([]);
  });

  it('resolves synced(ticket) once an fsync begun after those writes has returned, or now() ran', async () => {
    const { pool, calls } = heldPool();
    const sync = new GroupSync(
      () => {},
      pool,
      () => {},
    );
    const order: string[] = [];
    sync.soon(7);
    const first = sync.syncTicket;
    void sync.synced(first).then(() => order.push('first'));
    await nextTurn(); // the fsync for `first` is in the pool
    sync.soon(7); // written while it runs: not covered by it
    const second = sync.syncTicket;
    void sync.synced(second).then(() => order.push('second'));
    calls[0]!.finish();
    await nextTurn();
    expect(order).toEqual(['first']);
    calls[1]!.finish();
    await nextTurn();
    expect(order).toEqual(['first', 'second']);
    await sync.synced(0); // nothing asked before it: at once

    sync.soon(7);
    const third = sync.syncTicket;
    void sync.synced(third).then(() => order.push('third'));
    sync.now(); // before a close: synced on the spot
    await nextTurn();
    expect(order).toEqual(['first', 'second', 'third']);
  });
});
