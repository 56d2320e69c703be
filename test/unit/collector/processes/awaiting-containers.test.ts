import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AwaitingContainers } from '../../../../collector/processes/awaiting-containers.ts';

describe('AwaitingContainers', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends held events in order once their container is released', () => {
    const sent: string[] = [];
    const awaiting = new AwaitingContainers(10_000, () => undefined);
    awaiting.hold('c1', () => sent.push('exec'));
    awaiting.hold('c1', () => sent.push('exit'));
    expect(sent).toEqual([]);
    awaiting.release('c1');
    expect(sent).toEqual(['exec', 'exit']);
  });

  it('drops what a container never described held, counted, after the wait', () => {
    const dropped: [string, number][] = [];
    const sent: string[] = [];
    const awaiting = new AwaitingContainers(10_000, (id, n) => dropped.push([id, n]));
    awaiting.hold('c1', () => sent.push('exec'));
    awaiting.hold('c1', () => sent.push('exec'));
    vi.advanceTimersByTime(10_000);
    awaiting.release('c1');
    expect(sent).toEqual([]);
    expect(dropped).toEqual([['c1', 2]]);
  });
});
