import { describe, expect, it } from 'vitest';
import { hash, TupleTable } from '../../../../collector/flows/tuple-table.ts';

type Key = [number, number, number, number];

/** `count` distinct keys whose home slot in a table of `capacity` is `slot`: forced collisions. */
function keysHomedAt(slot: number, capacity: number, count: number): Key[] {
  const keys: Key[] = [];
  for (let i = 0; keys.length < count; i++) {
    const key: Key = [i, -i, i * 7, 3];
    if ((hash(...key) & (capacity - 1)) === slot) keys.push(key);
  }
  return keys;
}

describe('TupleTable', () => {
  it('tells apart keys that differ in one word only, including negative words', () => {
    const table = new TupleTable();
    table.set(1, 2, 3, 4, 10);
    table.set(1, 2, 3, 5, 11);
    table.set(-1, 2, 3, 4, 12);
    table.set(0, 0, 0, 0, 0); // the all-zero key and the value 0 are ordinary ones
    expect([table.get(1, 2, 3, 4), table.get(1, 2, 3, 5), table.get(-1, 2, 3, 4), table.get(0, 0, 0, 0)]).toEqual([
      10, 11, 12, 0,
    ]);
    expect(table.get(1, 2, 4, 4)).toBe(-1);
    expect(table.size).toBe(4);
  });

  it('replaces the value of a key already present without growing', () => {
    const table = new TupleTable();
    table.set(1, 2, 3, 4, 1);
    table.set(1, 2, 3, 4, 2);
    expect(table.get(1, 2, 3, 4)).toBe(2);
    expect(table.size).toBe(1);
  });

  it('finds every key of a collision run, and each one still after any other is deleted', () => {
    const keys = keysHomedAt(5, 16, 6);
    for (let gone = 0; gone < keys.length; gone++) {
      const table = new TupleTable(16);
      keys.forEach((key, i) => table.set(...key, i));
      expect(keys.map((key) => table.get(...key))).toEqual([0, 1, 2, 3, 4, 5]);
      expect(table.delete(...keys[gone]!)).toBe(true);
      expect(table.delete(...keys[gone]!)).toBe(false);
      keys.forEach((key, i) => expect(table.get(...key)).toBe(i === gone ? -1 : i));
      expect(table.size).toBe(5);
      expect(table.capacity).toBe(16);
    }
  });

  it('shifts back across the end of the slots when a run wraps around', () => {
    // Homed at the last slot, so the run continues at slot 0; a key homed at 0 sits behind it.
    const wrapping = keysHomedAt(15, 16, 3);
    const [atZero] = keysHomedAt(0, 16, 1);
    const table = new TupleTable(16);
    wrapping.forEach((key, i) => table.set(...key, 100 + i));
    table.set(...atZero!, 7);
    table.delete(...wrapping[0]!);
    expect(wrapping.map((key) => table.get(...key))).toEqual([-1, 101, 102]);
    expect(table.get(...atZero!)).toBe(7);
    table.delete(...wrapping[1]!);
    table.delete(...wrapping[2]!);
    expect(table.get(...atZero!)).toBe(7);
    expect(table.size).toBe(1);
  });

  it('doubles when more than half full and keeps every key', () => {
    const table = new TupleTable(8);
    for (let i = 0; i < 5; i++) table.set(i, 0, 0, 0, i);
    expect(table.capacity).toBe(16);
    for (let i = 5; i < 1000; i++) table.set(i, 0, 0, 0, i);
    expect(table.capacity).toBe(2048);
    for (let i = 0; i < 1000; i++) expect(table.get(i, 0, 0, 0)).toBe(i);
  });

  it('agrees with a Map under churn and stays small while its size is bounded (no tombstones)', () => {
    let seed = 7;
    const random = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
    const table = new TupleTable(8);
    const reference = new Map<string, number>();
    const disagreements: string[] = [];
    for (let op = 0; op < 50_000; op++) {
      // Few distinct keys in a small table: long runs, many collisions, deletions mid-run.
      const key: Key = [random(40), 0, random(3), -1];
      const text = key.join();
      if (random(3) === 0 || reference.size >= 30) {
        if (table.delete(...key) !== reference.delete(text)) disagreements.push(`delete ${text} at ${op}`);
      } else {
        table.set(...key, op);
        reference.set(text, op);
      }
      if (table.get(...key) !== (reference.get(text) ?? -1)) disagreements.push(`get ${text} at ${op}`);
      if (table.size !== reference.size) disagreements.push(`size at ${op}`);
    }
    expect(disagreements.slice(0, 5)).toEqual([]);
    for (let a = 0; a < 40; a++)
      for (let c = 0; c < 3; c++) expect(table.get(a, 0, c, -1)).toBe(reference.get([a, 0, c, -1].join()) ?? -1);
    expect(table.capacity).toBeLessThanOrEqual(64);
  });

  it('refuses a capacity that is not a power of two, and a value it cannot hold', () => {
    expect(() => new TupleTable(12)).toThrow(RangeError);
    for (const value of [-1, 0.5, 0x7fffffff, Number.NaN])
      expect(() => new TupleTable().set(1, 2, 3, 4, value)).toThrow(RangeError);
  });
});
