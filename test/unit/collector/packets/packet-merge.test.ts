import { describe, expect, it } from 'vitest';
import { PacketMerger, type HeldPacket } from '../../../../collector/packets/packet-merge.ts';

function merger(holdMs = 50, maxHeld = 1000) {
  const out: string[] = [];
  const m = new PacketMerger({ holdMs, maxHeld, deliver: (p) => out.push(`${p.network}@${p.at}`) });
  const packet = (network: string, at: number): HeldPacket => ({
    network,
    buf: Buffer.alloc(0),
    caplen: 0,
    linkType: 1,
    at,
  });
  return { m, out, packet };
}

describe('PacketMerger', () => {
  it('releases packets of several captures in timestamp order once they are old enough', () => {
    const { m, out, packet } = merger();
    // The destination bridge's capture hands over first, the source bridge's a little later.
    m.push('br-b', packet('b', 1000.02));
    m.push('br-b', packet('b', 1000.5));
    m.push('br-a', packet('a', 1000.01));
    m.release(1040);
    expect(out).toEqual([]);
    m.release(1050.015);
    expect(out).toEqual(['a@1000.01']);
    m.release(1051);
    expect(out).toEqual(['a@1000.01', 'b@1000.02', 'b@1000.5']);
    expect(m.held).toBe(0);
    expect(m.late).toBe(0);
  });

  it('handles a packet that arrives after the hold at once and counts it late', () => {
    const { m, out, packet } = merger();
    m.push('br-a', packet('a', 2000));
    m.release(2100);
    m.push('br-b', packet('b', 1990));
    m.release(2100);
    expect(out).toEqual(['a@2000', 'b@1990']);
    expect(m.late).toBe(1);
  });

  it('lets the oldest packets go early when the bound is reached', () => {
    const { m, out, packet } = merger(50, 2);
    m.push('br-a', packet('a', 1));
    m.push('br-b', packet('b', 2));
    m.push('br-a', packet('a', 3));
    expect(out).toEqual(['a@1']);
    expect(m.held).toBe(2);
    m.flush();
    expect(out).toEqual(['a@1', 'b@2', 'a@3']);
  });

  it('keeps each capture in arrival order across many packets', () => {
    const { m, out, packet } = merger(0, 1_000_000);
    for (let i = 0; i < 5000; i++) m.push(i % 2 ? 'br-a' : 'br-b', packet(i % 2 ? 'a' : 'b', i));
    m.release(10_000);
    expect(out).toHaveLength(5000);
    expect(out.map((s) => Number(s.split('@')[1]))).toEqual([...Array(5000).keys()]);
  });

  it('forgets an empty capture queue and keeps a non-empty one', () => {
    const { m, out, packet } = merger();
    m.push('br-a', packet('a', 1));
    m.forget('br-a');
    m.release(100);
    expect(out).toEqual(['a@1']);
    m.forget('br-a');
    m.push('br-a', packet('a', 200));
    m.flush();
    expect(out).toEqual(['a@1', 'a@200']);
  });
});
