// The kernel's exec trace on this host's tracefs: the filename of a process that is long gone
// when it is asked for, and a private instance removed on close.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ExecTrace } from '../../collector/processes/exec-trace.ts';

describe('the exec trace', () => {
  const trace = new ExecTrace();
  afterAll(() => trace.close());

  it("gives execve's filename of a process that exited before anyone asked", () => {
    const child = spawnSync('/bin/sh', ['-c', 'exec /bin/true'], { stdio: 'ignore' });
    expect(child.status).toBe(0);
    // The shell exec'd its command in place: two execs of one pid, each told apart by its time.
    const pid = child.pid;
    const now = process.hrtime.bigint();
    trace.drain();
    expect(trace.take(pid, now)?.filename).toBe('/bin/true');
    expect(trace.take(pid, now)).toBeNull();
  });

  it('does not hand out an exec later than the event asking for it', () => {
    const before = process.hrtime.bigint();
    const child = spawnSync('/bin/true', [], { stdio: 'ignore' });
    trace.drain();
    expect(trace.take(child.pid, before)).toBeNull();
    expect(trace.take(child.pid, process.hrtime.bigint())?.filename).toBe('/bin/true');
  });

  it('names the parent of a forked child, for a fork event that comes after its exec', () => {
    const child = spawnSync('/bin/sh', ['-c', 'echo $$; /bin/true & echo $!; wait'], { encoding: 'utf8' });
    const [shell, forked] = child.stdout.trim().split('\n').map(Number);
    trace.drain();
    expect(trace.parentOf(forked as number)).toBe(shell);
  });

  it('removes its tracefs instance on close', () => {
    const other = new ExecTrace();
    expect(existsSync(other.dir)).toBe(true);
    other.close();
    expect(existsSync(other.dir)).toBe(false);
    expect(existsSync(trace.dir)).toBe(true);
  });
});
