// A SHIPWATCH_* variable that sets nothing (a typo, a YAML-only key) is named in a warning by a
// real agent, which still starts: the operator learns the setting did not apply.
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { waitFor } from '../support/wait.ts';

let agent: AgentProcess | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

describe('SHIPWATCH_* variables', () => {
  it('warns about a variable that is not a setting, and not about one that is', async () => {
    agent = await startAgent([], { SHIPWATCH_DEDUP_WINDOW: '5m', SHIPWATCH_HOST: 'env-host' });
    const warning = await waitFor(() => agent?.logs.find((l) => l.variable === 'SHIPWATCH_DEDUP_WINDOW'), {
      what: 'the warning about SHIPWATCH_DEDUP_WINDOW',
    });
    expect(warning.level).toBe(40);
    expect(agent.logs.some((l) => l.variable === 'SHIPWATCH_HOST')).toBe(false);
    expect(agent.child.exitCode).toBeNull();
  });
});
