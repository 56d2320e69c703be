import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { docker, removeContainers, runContainer, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

describe('process and file sources in the running agent', () => {
  const name = uniqueName('agent-act');
  let agent: AgentProcess;

  beforeAll(async () => {
    agent = await startAgent();
    await runContainer(name);
  });

  afterAll(async () => {
    await agent?.stop();
    await removeContainers(name);
  });

  it('reports processes and files up in /healthz', async () => {
    const sources = await waitFor(
      async () => {
        const body = (await (await fetch(`${agent.baseUrl}/healthz`)).json()) as {
          sources: Record<string, { state: string }>;
        };
        return body.sources.processes?.state === 'up' && body.sources.files?.state === 'up' ? body.sources : null;
      },
      { what: 'processes and files up' },
    );
    expect(sources.processes?.state).toBe('up');
  });

  it('logs the exec and the file change a docker exec causes', async () => {
    await docker('exec', name, 'sh', '-c', 'echo x > /tmp/agent-written; sleep 0.2');
    const exec = await waitFor(
      () =>
        agent.logs.find(
          (l) => l.msg === 'process.exec' && JSON.stringify(l.event).includes('echo x > /tmp/agent-written'),
        ),
      { what: 'the exec of sh' },
    );
    const file = await waitFor(
      () => agent.logs.find((l) => l.msg === 'file.changed' && JSON.stringify(l.event).includes('/tmp/agent-written')),
      { what: 'the file event' },
    );
    expect((exec.event as { container: { name: string } }).container.name).toBe(name);
    expect((file.event as { op: string }).op).toBe('create');
  });
});
