import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { logFiles, readLog, RotatingLog } from '../../../alerts/rotating-log.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-rotlog-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const any = (value: unknown): value is { n: number } => typeof value === 'object' && value !== null;

describe('RotatingLog', () => {
  it('buffered: writes the lines of a turn together at its end, and a reader in the process sees them at once', async () => {
    const dir = tempDir();
    const log = new RotatingLog({ dir, base: 'b', maxBytes: 1 << 20, retain: 1, buffered: true });
    for (let n = 0; n < 3; n++) log.append({ n });
    const file = path.join(dir, 'b.jsonl');
    const onDisk = () => readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
    expect(() => onDisk()).toThrow(); // nothing written yet: not even the file
    await new Promise((resolve) => setImmediate(resolve));
    expect(onDisk()).toBe(3);
    log.append({ n: 3 });
    expect(readLog(dir, 'b', 1, any).map((v) => v.n)).toEqual([0, 1, 2, 3]); // flushed by the reader
    log.close();
  });

  it('buffered: a write that failed at the end of the turn is thrown by the next append', async () => {
    const dir = tempDir();
    const log = new RotatingLog({ dir, base: 'f', maxBytes: 1 << 20, retain: 1, buffered: true });
    mkdirSync(path.join(dir, 'f.jsonl')); // a directory where the file should be: open fails, even for root
    log.append({ n: 0 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(() => log.append({ n: 1 })).toThrow(/EISDIR/);
    rmSync(path.join(dir, 'f.jsonl'), { recursive: true });
    log.append({ n: 2 }); // the failure was said once; writing goes on
    expect(readLog(dir, 'f', 1, any).map((v) => v.n)).toEqual([2]);
    log.close();
  });

  it('never takes more than (retain + 1) × maxBytes on disk under a flood of lines', () => {
    const dir = tempDir();
    const log = new RotatingLog({ dir, base: 'x', maxBytes: 4096, retain: 2 });
    for (let n = 0; n < 20_000; n++) log.append({ n, pad: 'y'.repeat(40) });
    const files = readdirSync(dir);
    expect(files.sort()).toEqual(['x.1.jsonl', 'x.2.jsonl', 'x.jsonl']);
    for (const file of files) expect(statSync(path.join(dir, file)).size).toBeLessThanOrEqual(4096);
    expect(log.diskBytes()).toBeLessThanOrEqual(3 * 4096);
    // What is left is the newest lines, in order.
    const kept = readLog(dir, 'x', 2, any).map((v) => v.n);
    expect(kept.at(-1)).toBe(19_999);
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
  });

  it('deletes files last written longer ago than maxAge', () => {
    const dir = tempDir();
    const log = new RotatingLog({ dir, base: 'x', maxBytes: 100, retain: 3, maxAge: 3_600_000 });
    for (let n = 0; n < 6; n++) log.append({ n, pad: 'p'.repeat(50) });
    const files = logFiles(dir, 'x', 3);
    expect(files.length).toBeGreaterThan(2);
    const old = (Date.now() - 2 * 3_600_000) / 1000;
    for (const file of files.slice(0, -1)) utimesSync(file, old, old);
    log.prune();
    expect(logFiles(dir, 'x', 3)).toEqual([path.join(dir, 'x.jsonl')]);
  });

  it('keeps at most 32 files open however many logs write, and every line reaches its file', () => {
    const dir = tempDir();
    const logs = Array.from(
      { length: 40 },
      (_, i) => new RotatingLog({ dir, base: `log${i}`, maxBytes: 1 << 20, retain: 1 }),
    );
    for (let round = 0; round < 3; round++) logs.forEach((log, i) => log.append({ n: i * 10 + round }));
    const open = readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
      } catch {
        return false;
      }
    });
    expect(open.length).toBeLessThanOrEqual(32);
    logs.forEach((_, i) =>
      expect(readLog(dir, `log${i}`, 1, any).map((v) => v.n)).toEqual([i * 10, i * 10 + 1, i * 10 + 2]),
    );
    logs.forEach((log) => log.close());
  });

  it('skips a torn last line and carries on after it', () => {
    const dir = tempDir();
    const log = new RotatingLog({ dir, base: 'x', maxBytes: 1 << 20, retain: 1 });
    log.append({ n: 1 });
    appendFileSync(path.join(dir, 'x.jsonl'), '{"n": 2, "tor');
    expect(readLog(dir, 'x', 1, any).map((v) => v.n)).toEqual([1]);
  });
});
