import { describe, expect, it } from 'vitest';
import { PidTable, type PidEntry } from '../../../../collector/processes/pid-table.ts';

const entry = (containerId: string | null, exe = '/bin/sh'): PidEntry => ({
  containerId,
  exe,
  ppid: 1,
  uid: 0,
  session: null,
});

describe('PidTable', () => {
  it('gives a forked child what is known of its parent, with the parent as ppid', () => {
    const pids = new PidTable();
    pids.set(100, entry('c1'));
    pids.fork(100, 101, 101);
    expect(pids.get(101)).toEqual({
      containerId: 'c1',
      exe: '/bin/sh',
      ppid: 100,
      uid: 0,
      session: null,
      execed: false,
      runcInit: false,
    });
  });

  it('ignores a new thread', () => {
    const pids = new PidTable();
    pids.set(100, entry('c1'));
    pids.fork(100, 102, 100);
    expect(pids.get(102)).toBeUndefined();
    expect(pids.get(100)?.ppid).toBe(1);
  });

  it('answers the container of a known pid without reading /proc, and forgets a pid taken at exit', () => {
    const pids = new PidTable();
    pids.set(4_000_000, entry('c1'));
    expect(pids.containerOf(4_000_000)).toBe('c1');
    expect(pids.take(4_000_000)?.containerId).toBe('c1');
    expect(pids.get(4_000_000)).toBeUndefined();
  });
});
