import { describe, expect, it } from 'vitest';
import { isExecRoot, type ExecRootFacts } from '../../../../collector/processes/exec-root.ts';
import type { ContainerInfo } from '../../../../collector/inventory-types.ts';

const running = { state: 'running', pid: 100 } as ContainerInfo;
const facts = (over: Partial<ExecRootFacts>): ExecRootFacts => ({
  info: running,
  tgid: 200,
  fromRuncInit: false,
  containerId: 'c1',
  parentContainer: null,
  ...over,
});

describe('the root of a docker exec', () => {
  it('is a process of a running container whose parent is outside it', () => {
    expect(isExecRoot(facts({}))).toBe(true);
  });

  it('is the first exec below runc init even when runc init already joined the container cgroup', () => {
    expect(isExecRoot(facts({ parentContainer: 'c1', fromRuncInit: true }))).toBe(true);
  });

  it('is not a child of a process of the same container', () => {
    expect(isExecRoot(facts({ parentContainer: 'c1' }))).toBe(false);
  });

  it('is not the init of the container, nor anything of a container still starting', () => {
    expect(isExecRoot(facts({ tgid: 100 }))).toBe(false);
    expect(isExecRoot(facts({ info: { state: 'running', pid: 0 } as ContainerInfo }))).toBe(false);
    expect(isExecRoot(facts({ info: undefined }))).toBe(false);
  });
});
