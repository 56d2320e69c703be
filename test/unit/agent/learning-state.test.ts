import { describe, expect, it } from 'vitest';
import { WorkloadFirstSeen } from '../../../agent/learning-state.ts';
import type { ContainerInfo } from '../../../collector/inventory-types.ts';

const container = (workload: string) => ({ workload }) as ContainerInfo;

describe('learning window from the first sight of a workload', () => {
  it('learns for the configured window from the first container, then monitors', () => {
    let now = 1_000;
    const learning = new WorkloadFirstSeen(10 * 60_000, () => now);
    learning.observe({
      kind: 'container.started',
      at: now,
      host: 'h',
      container: { id: 'a', name: 'api-1', image: 'shop/api:1', workload: 'shop/api' },
      info: container('shop/api'),
    });
    now += 10 * 60_000 - 1;
    expect(learning.stateOf(container('shop/api'))).toBe('learning');
    now += 1;
    expect(learning.stateOf(container('shop/api'))).toBe('monitoring');
  });

  it('keeps the window of the first container when a second one of the workload appears later', () => {
    let now = 0;
    const learning = new WorkloadFirstSeen(60_000, () => now);
    expect(learning.stateOf(container('shop/web'))).toBe('learning');
    now = 60_000;
    expect(learning.stateOf({ ...container('shop/web'), id: 'second' })).toBe('monitoring');
  });

  it('monitors at once with learn 0 (policy only)', () => {
    const learning = new WorkloadFirstSeen(0, () => 5);
    expect(learning.stateOf(container('batch'))).toBe('monitoring');
  });
});
