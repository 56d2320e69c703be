import { describe, expect, it } from 'vitest';
import { parseAttachLine, parseExecLine, parseForkLine } from '../../../../collector/processes/exec-trace.ts';

describe('reading the exec trace', () => {
  it('reads the pid, the filename and the earliest monotonic time of a sched_process_exec line', () => {
    const line =
      '           sleep-3312    [001] .....  4829.398779: sched_process_exec: filename=/bin/sleep pid=3312 old_pid=3312';
    expect(parseExecLine(line)).toEqual({
      pid: 3312,
      exec: { timestampNs: 4_829_398_778_500n, filename: '/bin/sleep' },
    });
  });

  it('reads a time printed rounded up as at or before the connector event the exec preceded', () => {
    // Seen in drift-under-load: the connector stamped the exec 14409.174020856, the trace printed
    // the tracepoint (which runs first) as 14409.174021, rounded to the nearest microsecond.
    const line = ' cp-14313 [001] ..... 14409.174021: sched_process_exec: filename=/bin/chmod pid=14313 old_pid=14313';
    expect(parseExecLine(line)!.exec.timestampNs).toBeLessThanOrEqual(14_409_174_020_856n);
  });

  it('keeps a filename with spaces and a fake " pid=" whole, and the real pid from the end', () => {
    const line = ' x-7 [000] ..... 1.000001: sched_process_exec: filename=/tmp/a b pid=9 old_pid=9 pid=41 old_pid=41';
    expect(parseExecLine(line)?.exec.filename).toBe('/tmp/a b pid=9 old_pid=9');
    expect(parseExecLine(line)?.pid).toBe(41);
  });

  it('ignores other lines and the tail of a filename cut by a newline', () => {
    expect(parseExecLine('# tracer: nop')).toBeNull();
    expect(parseExecLine('evil pid=5 old_pid=5')).toBeNull();
    expect(
      parseExecLine(' x-7 [000] ..... 1.000001: sched_process_fork: comm=sh pid=7 child_comm=sh child_pid=8'),
    ).toBeNull();
  });
});

describe('reading cgroup moves from the trace', () => {
  it('reads the pid and the path runc moved it into', () => {
    const line =
      '     runc:[2:INIT]-16439 [000] ..... 5306.447000: cgroup_attach_task: dst_root=0 dst_id=812 dst_level=2 dst_path=/system.slice/docker-ab12.scope pid=16439 comm=runc:[2:INIT]';
    expect(parseAttachLine(line)).toEqual({
      pid: 16439,
      attach: { timestampNs: 5_306_446_999_500n, path: '/system.slice/docker-ab12.scope' },
    });
  });

  it('takes the pid right after the path, whatever the process named itself', () => {
    const line =
      ' x-5 [000] ..... 1.000001: cgroup_attach_task: dst_root=0 dst_id=1 dst_level=1 dst_path=/docker/c pid=5 comm= pid=1 comm=';
    expect(parseAttachLine(line)?.pid).toBe(5);
    expect(parseAttachLine(line)?.attach.path).toBe('/docker/c');
  });
});

describe('reading forks from the trace', () => {
  it('reads the forking task and its child', () => {
    const line =
      '              sh-7640    [001] ..... 5306.400001: sched_process_fork: comm=sh pid=7640 child_comm=sh child_pid=7651';
    expect(parseForkLine(line)).toEqual({ parent: 7640, child: 7651 });
  });

  it('keeps the real pids when the comms spell fields of their own', () => {
    const line =
      ' x-5 [000] ..... 1.000001: sched_process_fork: comm=a pid=9 b pid=5 child_comm= child_pid=3 child_pid=6';
    expect(parseForkLine(line)).toEqual({ parent: 5, child: 6 });
  });
});
