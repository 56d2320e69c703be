import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { execProgram } from '../../../../collector/processes/exec-program.ts';
import type { ExecReading } from '../../../../collector/processes/proc-messages.ts';

/** An overlay2 layer directory: `diff` (UpperDir) beside `merged`, whose /bin/cp links to busybox. */
function layer(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-layer-'));
  mkdirSync(path.join(dir, 'diff'));
  mkdirSync(path.join(dir, 'merged/bin'), { recursive: true });
  writeFileSync(path.join(dir, 'merged/bin/busybox'), '');
  symlinkSync('/bin/busybox', path.join(dir, 'merged/bin/cp'));
  return path.join(dir, 'diff');
}

function reading(exe: string | null, traced: string | null, argv: string[] = []): ExecReading {
  return {
    tgid: 7,
    timestampNs: 1n,
    snap: { exe, argv, ppid: 1, uid: 0, containerId: 'c' },
    parent: null,
    upperLayer: null,
    traced,
  };
}

describe('the program of an exec', () => {
  const upperDir = layer();

  it('is /proc/<pid>/exe when the thread read it in time', () => {
    expect(execProgram(reading('/bin/busybox', '/bin/cp', ['cp']), ['cp'], upperDir)).toEqual({
      exe: '/bin/busybox',
      executed: '/bin/busybox',
      invokedAs: null,
    });
  });

  it("is the traced filename resolved in the container's root when the process was gone", () => {
    expect(execProgram(reading(null, '/bin/cp'), [], upperDir)).toEqual({
      exe: '/bin/busybox',
      executed: '/bin/cp',
      invokedAs: '/bin/cp',
    });
  });

  it('judges drift on the traced path even where it cannot be resolved', () => {
    expect(execProgram(reading(null, '/tmp/dropped'), [], upperDir)).toEqual({
      exe: '',
      executed: '/tmp/dropped',
      invokedAs: '/tmp/dropped',
    });
  });

  it('falls back to an absolute argv[0], and to unknown', () => {
    expect(execProgram(reading(null, null), ['/x/y'], upperDir).executed).toBe('/x/y');
    expect(execProgram(reading(null, null), ['y'], upperDir)).toEqual({ exe: '', executed: '', invokedAs: null });
  });
});
