import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../../core/bounded-map.ts';

/** The obvious implementation, slow in V8 (see bounded-map.ts): the model the fast one must match. */
class ModelMap<K, V> {
  readonly map = new Map<K, V>();
  constructor(readonly max: number) {}
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }
}

describe('BoundedMap', () => {
  it('forgets the least recently set entry past its bound', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2).set('a', 3).set('c', 4);
    expect([...map]).toEqual([
      ['a', 3],
      ['c', 4],
    ]);
    expect(map.get('b')).toBeUndefined();
    expect(map.oldest()).toBe('a');
  });

  it('behaves as a delete-and-set Map with oldest-first eviction, whatever the operations', () => {
    const op = fc.oneof(
      fc.record({ set: fc.integer({ min: 0, max: 40 }), value: fc.integer() }),
      fc.record({ del: fc.integer({ min: 0, max: 40 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(op, { maxLength: 400 }), (max, ops) => {
        const map = new BoundedMap<number, number>(max);
        const model = new ModelMap<number, number>(max);
        for (const o of ops) {
          if ('set' in o) {
            map.set(o.set, o.value);
            model.set(o.set, o.value);
          } else {
            expect(map.delete(o.del)).toBe(model.map.delete(o.del));
          }
        }
        expect([...map.entries()]).toEqual([...model.map.entries()]);
        expect(map.size).toBe(model.map.size);
        expect(map.oldest()).toBe(model.map.keys().next().value);
      }),
      { numRuns: 300 },
    );
  });

  it("evicts in constant time: a million sets at 20 000 entries take seconds, not the Map idiom's ~15", () => {
    const map = new BoundedMap<number, number>(20_000);
    const started = performance.now();
    for (let i = 0; i < 1_000_000; i++) map.set(i % 3 === 0 ? i - 1 : i, i);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(map.size).toBe(20_000);
  });
});
