import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContainerWatch } from '../../../../collector/files/container-watch.ts';

describe('watching an UpperDir tree', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'sw-watch-'));
  let watch: ContainerWatch | undefined;

  afterEach(() => {
    watch?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('stops at the watch bound, reports it once and lists the files it found', () => {
    for (const dir of ['a', 'b', 'c', 'd']) mkdirSync(path.join(root, dir, 'deeper'), { recursive: true });
    writeFileSync(path.join(root, 'top-file'), 'x');
    const overflows: number[] = [];
    watch = new ContainerWatch({
      upperDir: root,
      maxWatches: 3,
      onEvent: () => undefined,
      onOverflow: (watched) => overflows.push(watched),
    });
    const files = watch.add(root);
    expect(watch.watched).toBe(3);
    expect(watch.complete).toBe(false);
    expect(overflows).toEqual([3]);
    expect(files).toContain(path.join(root, 'top-file'));
  });
});
