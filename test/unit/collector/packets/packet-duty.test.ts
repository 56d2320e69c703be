import { describe, expect, it } from 'vitest';
import { PacketDuty } from '../../../../collector/packets/packet-duty.ts';

describe('PacketDuty', () => {
  it('lets packet work take at most 60 ms of every 100, then makes it wait for the next window', () => {
    let now = 1000;
    const duty = new PacketDuty(() => now);
    const turns: number[] = [];
    // Work that takes 1 ms per stop() asked and never finishes by itself.
    const busy = (stop: () => boolean) => {
      const started = now;
      while (!stop()) now += 1;
      turns.push(now - started);
    };
    while (duty.left() > 0) duty.run(10, busy);
    expect(turns).toEqual([10, 10, 10, 10, 10, 10]);
    expect(duty.untilNext()).toBe(40);
    now += duty.untilNext();
    expect(duty.left()).toBe(60);
  });
});
