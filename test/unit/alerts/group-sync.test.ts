import { describe, expect, it } from 'vitest';
import { GroupSync } from '../../../alerts/group-sync.ts';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('GroupSync', () => {
  it('fsyncs a descriptor once at the end of the turn however often it was asked', async () => {
    const synced: number[] = [];
    const sync = new GroupSync(
      () => {},
      (fd) => synced.push(fd),
    );
    for (let i = 0; i < 500; i++) sync.soon(7);
    expect(synced).toEqual([]);
    await nextTurn();
    expect(synced).toEqual([7]);
    sync.soon(7);
    await nextTurn();
    expect(synced).toEqual([7, 7]);
  });

  it('syncs the pending descriptor at once when asked to (before a close) or when another replaces it', async () => {
    const synced: number[] = [];
    const sync = new GroupSync(
      () => {},
      (fd) => synced.push(fd),
    );
    sync.soon(3);
    sync.now();
    expect(synced).toEqual([3]);
    sync.soon(4);
    sync.soon(5); // a rotation swapped the descriptor: 4 may be closed before the turn ends
    expect(synced).toEqual([3, 4]);
    await nextTurn();
    expect(synced).toEqual([3, 4, 5]);
    sync.now(); // nothing pending
    expect(synced).toEqual([3, 4, 5]);
  });

  it('reports a failed fsync as an Error', async () => {
    const errors: Error[] = [];
    const sync = new GroupSync((error) => errors.push(error));
    sync.soon(2 ** 30); // no such descriptor: EBADF from the real fsync
    await nextTurn();
    expect(errors).toHaveLength(1);
    expect((errors[0] as NodeJS.ErrnoException).code).toBe('EBADF');
  });
});
