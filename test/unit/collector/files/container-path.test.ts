import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergedDirOf, resolveInRoot } from '../../../../collector/files/index.ts';

/** A container root in a temp dir: /bin/busybox, applet links both ways, a loop, a link that climbs out. */
function root(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-root-'));
  mkdirSync(path.join(dir, 'bin'));
  mkdirSync(path.join(dir, 'usr/bin'), { recursive: true });
  writeFileSync(path.join(dir, 'bin/busybox'), '');
  symlinkSync('/bin/busybox', path.join(dir, 'bin/cp'));
  symlinkSync('busybox', path.join(dir, 'bin/cat'));
  symlinkSync('../../bin/cat', path.join(dir, 'usr/bin/cat'));
  symlinkSync('/bin', path.join(dir, 'sbin'));
  symlinkSync('loop', path.join(dir, 'bin/loop'));
  symlinkSync('../../../../../etc/passwd', path.join(dir, 'bin/escape'));
  writeFileSync(path.join(dir, 'passwd-outside'), '');
  return dir;
}

describe('resolving a path inside a container root', () => {
  const dir = root();

  it('follows absolute and relative links inside the root', () => {
    expect(resolveInRoot(dir, '/bin/cp')).toBe('/bin/busybox');
    expect(resolveInRoot(dir, '/usr/bin/cat')).toBe('/bin/busybox');
    expect(resolveInRoot(dir, '/sbin/cp')).toBe('/bin/busybox');
    expect(resolveInRoot(dir, '/bin/busybox')).toBe('/bin/busybox');
  });

  it('keeps `..` at the root, as the container does', () => {
    // /etc/passwd of the container: missing here, so null, never the host's /etc/passwd.
    expect(resolveInRoot(dir, '/bin/escape')).toBeNull();
    expect(resolveInRoot(dir, '/../../bin/cp')).toBe('/bin/busybox');
  });

  it('gives null for a missing file, a loop and a relative path', () => {
    expect(resolveInRoot(dir, '/bin/nope')).toBeNull();
    expect(resolveInRoot(dir, '/bin/loop')).toBeNull();
    expect(resolveInRoot(dir, 'bin/cp')).toBeNull();
  });

  it('finds the merged tree beside an overlay2 UpperDir', () => {
    expect(mergedDirOf('/var/lib/docker/overlay2/abc/diff')).toBe('/var/lib/docker/overlay2/abc/merged');
  });
});
