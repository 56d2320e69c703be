import { describe, expect, it } from 'vitest';
import { ARGV_MAX_BYTES, ARGV_MAX_ENTRIES, argvOf, statusFields } from '../../../../collector/processes/proc-reader.ts';

describe('reading /proc text', () => {
  it('splits a NUL-separated cmdline into argv', () => {
    expect(argvOf('sh\0-c\0id; cat /etc/hostname\0')).toEqual(['sh', '-c', 'id; cat /etc/hostname']);
  });

  it('bounds argv in bytes and entries', () => {
    expect(argvOf('x'.repeat(ARGV_MAX_BYTES * 2)).join('').length).toBe(ARGV_MAX_BYTES);
    expect(argvOf('a\0'.repeat(1000))).toHaveLength(ARGV_MAX_ENTRIES);
  });

  it('reads PPid and the real uid from status', () => {
    expect(statusFields('Name:\tsh\nPPid:\t42\nUid:\t1000\t1000\t1000\t1000\n')).toEqual({ ppid: 42, uid: 1000 });
  });
});
