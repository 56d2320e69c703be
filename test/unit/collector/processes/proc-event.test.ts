import { formatMessage } from 'netlink';
import { describe, expect, it } from 'vitest';
import {
  exitCodeOf,
  listenRequest,
  parseProcEvent,
  parseProcMessages,
} from '../../../../collector/processes/proc-event.ts';

/** A proc_event as the kernel lays it out: what, cpu, timestamp_ns, then the event's u32 fields. */
function procEvent(what: number, fields: number[]): Buffer {
  const data = Buffer.alloc(16 + fields.length * 4);
  data.writeUInt32LE(what, 0);
  data.writeUInt32LE(1, 4);
  data.writeBigUInt64LE(123n, 8);
  fields.forEach((value, i) => data.writeUInt32LE(value, 16 + i * 4));
  return data;
}

/** nlmsghdr + cn_msg {idx 1, val 1} around one proc_event. */
function datagram(event: Buffer): Buffer {
  const cn = Buffer.alloc(20);
  cn.writeUInt32LE(1, 0);
  cn.writeUInt32LE(1, 4);
  cn.writeUInt16LE(event.length, 16);
  return Buffer.concat(formatMessage({ type: 3, flags: 0, seq: 1, port: 0, data: [cn, event] }));
}

describe('proc connector decoding', () => {
  it('decodes an exec event into pid and tgid', () => {
    expect(parseProcEvent(procEvent(0x2, [41, 40]))).toEqual({ what: 'exec', pid: 41, tgid: 40, timestampNs: 123n });
  });

  it('decodes a fork event into parent and child', () => {
    expect(parseProcEvent(procEvent(0x1, [10, 10, 11, 11]))).toEqual({
      what: 'fork',
      parentPid: 10,
      parentTgid: 10,
      childPid: 11,
      childTgid: 11,
    });
  });

  it('decodes an exit event with its wait status', () => {
    expect(parseProcEvent(procEvent(0x80000000, [7, 7, 256, 17, 1, 1]))).toEqual({
      what: 'exit',
      pid: 7,
      tgid: 7,
      exitCode: 256,
      exitSignal: 17,
    });
  });

  it('ignores kinds it does not use and truncated events', () => {
    expect(parseProcEvent(procEvent(0x4, [1, 1, 0, 0]))).toBeNull();
    expect(parseProcEvent(procEvent(0x2, []))).toBeNull();
  });

  it('reads every event of a datagram holding several netlink messages', () => {
    const both = Buffer.concat([datagram(procEvent(0x2, [5, 5])), datagram(procEvent(0x2, [6, 6]))]);
    expect(parseProcMessages(both).map((e) => e.what === 'exec' && e.tgid)).toEqual([5, 6]);
  });

  it('skips connector messages of other connector users', () => {
    const message = datagram(procEvent(0x2, [5, 5]));
    message.writeUInt32LE(7, 16); // cb_id.idx of another connector user
    expect(parseProcMessages(message)).toEqual([]);
  });

  it('builds the listen request the kernel expects', () => {
    const request = Buffer.concat(listenRequest(99));
    expect(request.readUInt32LE(0)).toBe(16 + 20 + 4);
    expect(request.readUInt32LE(12)).toBe(99);
    expect(request.readUInt32LE(16)).toBe(1);
    expect(request.readUInt32LE(16 + 20)).toBe(1);
  });

  it('turns a wait status into an exit code, or null when killed by a signal', () => {
    expect(exitCodeOf(3 << 8)).toBe(3);
    expect(exitCodeOf(9)).toBeNull();
  });
});
