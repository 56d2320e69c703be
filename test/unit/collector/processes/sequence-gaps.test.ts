import { describe, expect, it } from 'vitest';
import { SequenceGaps } from '../../../../collector/processes/sequence-gaps.ts';

describe('proc connector sequence gaps', () => {
  it('counts nothing while each CPU numbers its events one after the other', () => {
    const gaps = new SequenceGaps();
    for (const [cpu, seq] of [
      [0, 10],
      [1, 3],
      [0, 11],
      [1, 4],
      [0, 12],
    ] as const)
      gaps.observe(cpu, seq);
    expect(gaps.lost).toBe(0);
  });

  it('counts the events missing between two numbers of the same CPU', () => {
    const gaps = new SequenceGaps();
    gaps.observe(0, 100);
    expect(gaps.observe(0, 105)).toBe(4);
    expect(gaps.observe(1, 7)).toBe(0);
    expect(gaps.lost).toBe(4);
  });

  it('counts across the u32 wrap and ignores a counter that went backwards', () => {
    const gaps = new SequenceGaps();
    gaps.observe(0, 0xffff_fffe);
    expect(gaps.observe(0, 1)).toBe(2);
    expect(gaps.observe(0, 0)).toBe(0);
    expect(gaps.lost).toBe(2);
  });
});
