import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInUpperLayer } from '../../../../collector/files/upper-layer.ts';

describe('an executable in the writable layer', () => {
  let upper: string;

  beforeAll(() => {
    upper = mkdtempSync(path.join(tmpdir(), 'sw-upper-'));
    mkdirSync(path.join(upper, 'tmp'));
    writeFileSync(path.join(upper, 'tmp', 'x'), '\x7fELF');
    chmodSync(path.join(upper, 'tmp', 'x'), 0o755);
    mkdirSync(path.join(upper, 'usr', 'bin'), { recursive: true });
    // overlayfs marks a deleted image file with a 0/0 character device (needs CAP_MKNOD, as the agent has).
    execFileSync('mknod', [path.join(upper, 'usr', 'bin', 'gone'), 'c', '0', '0']);
  });

  afterAll(() => rmSync(upper, { recursive: true, force: true }));

  it('is a file the container wrote after it started', () => {
    expect(isInUpperLayer(upper, '/tmp/x')).toBe(true);
  });

  it('is not an image file the container never touched', () => {
    expect(isInUpperLayer(upper, '/bin/busybox')).toBe(false);
  });

  it('is not a whiteout, a directory or a relative path', () => {
    expect(isInUpperLayer(upper, '/usr/bin/gone')).toBe(false);
    expect(isInUpperLayer(upper, '/usr/bin')).toBe(false);
    expect(isInUpperLayer(upper, 'tmp/x')).toBe(false);
  });

  it('stays inside the layer for a path that climbs', () => {
    expect(isInUpperLayer(upper, '/../../tmp/x')).toBe(true);
    expect(isInUpperLayer(upper, `/../..${upper}/tmp/x`)).toBe(false);
  });
});
