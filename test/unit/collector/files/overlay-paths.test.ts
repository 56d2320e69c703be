import fc from 'fast-check';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyChange, containerPath, isWhiteout, lowerDirsOf } from '../../../../collector/files/overlay-paths.ts';

const UPPER = '/var/lib/docker/overlay2/abc/diff';
const FILE = { kind: 'file', mode: 0o100644, ino: 7 } as const;

describe('overlay path mapping', () => {
  it('maps an UpperDir path to the path the container sees', () => {
    expect(containerPath(UPPER, `${UPPER}/etc/evil`)).toBe('/etc/evil');
    expect(containerPath(UPPER, UPPER)).toBe('/');
  });

  it('maps every path as path.relative does, dot segments, doubled slashes, look-alike dirs and `..x` names included', () => {
    const reference = (full: string) => {
      const relative = path.relative(UPPER, full);
      if (relative === '') return '/';
      return relative === '..' || relative.startsWith('../') ? null : `/${relative}`;
    };
    const segment = fc.constantFrom('', '.', '..', 'etc', '.bashrc', '..x', 'a b', 'diff');
    fc.assert(
      fc.property(
        fc.constantFrom(UPPER, `${UPPER}x`, `${UPPER}/`),
        fc.array(segment, { maxLength: 6 }),
        (base, parts) => {
          const full = [base, ...parts].join('/');
          expect(containerPath(UPPER, full)).toBe(reference(full));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses paths outside the UpperDir', () => {
    expect(containerPath(UPPER, '/var/lib/docker/overlay2/abc/work/x')).toBeNull();
  });

  it('resolves the layer lower file to absolute lower dirs', () => {
    expect(lowerDirsOf(UPPER, 'l/AAA:l/BBB\n')).toEqual([
      '/var/lib/docker/overlay2/l/AAA',
      '/var/lib/docker/overlay2/l/BBB',
    ]);
  });

  it('recognises a whiteout as a character device 0/0', () => {
    expect(isWhiteout({ isCharacterDevice: () => true, rdev: 0 })).toBe(true);
    expect(isWhiteout({ isCharacterDevice: () => true, rdev: 259 })).toBe(false);
  });
});

describe('classifying a burst of events', () => {
  const renamed = { renamed: true, changed: false };
  const changed = { renamed: false, changed: true };

  it('calls a new file that is not in the image a create', () => {
    expect(classifyChange({ renamed: true, changed: true }, FILE, undefined, null)).toBe('create');
  });

  it('calls an image file copied up by an append a write', () => {
    expect(classifyChange(renamed, FILE, undefined, { mode: 0o100644 })).toBe('write');
  });

  it('calls an image file copied up with another mode a chmod', () => {
    expect(classifyChange(renamed, FILE, undefined, { mode: 0o100755 })).toBe('chmod');
  });

  it('calls a whiteout a delete', () => {
    expect(classifyChange(renamed, { kind: 'whiteout' }, undefined, { mode: 0o100644 })).toBe('delete');
  });

  it('calls a vanished known file a delete and ignores a temp file that came and went', () => {
    expect(classifyChange(renamed, { kind: 'missing' }, { mode: 0o100644, ino: 7 }, null)).toBe('delete');
    expect(classifyChange(renamed, { kind: 'missing' }, undefined, null)).toBeNull();
  });

  it('tells chmod from write by the mode', () => {
    expect(classifyChange(changed, { ...FILE, mode: 0o100755 }, { mode: 0o100644, ino: 7 }, null)).toBe('chmod');
    expect(classifyChange(changed, FILE, { mode: 0o100644, ino: 7 }, null)).toBe('write');
  });

  it('ignores a directory copied up from the image', () => {
    expect(classifyChange(renamed, { kind: 'dir', mode: 0o40755, ino: 3 }, undefined, { mode: 0o40755 })).toBeNull();
  });
});
