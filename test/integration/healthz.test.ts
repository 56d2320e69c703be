import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { removeContainers, runContainer, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

describe('agent against the private Docker daemon', () => {
  const name = uniqueName('health');
  let agent: AgentProcess;

  beforeAll(async () => {
    await runContainer(name);
    agent = await startAgent();
  });

  afterAll(async () => {
    await agent?.stop();
    await removeContainers(name);
  });

  it('reports Docker connected in /healthz', async () => {
    const health = await waitFor(
      async () => {
        const body = (await (await fetch(`${agent.baseUrl}/healthz`)).json()) as {
          sources: Record<string, { state: string }>;
        };
        return body.sources.docker?.state === 'up' ? body : null;
      },
      { what: 'docker to be up in /healthz' },
    );
    expect(health.sources.docker?.state).toBe('up');
    // The log line is written asynchronously: it may trail the health state by a moment.
    const connected = await waitFor(() => agent.logs.find((l) => l.msg === 'docker connected'), {
      what: 'the docker connected log line',
    });
    expect(connected?.containers).toBeGreaterThanOrEqual(1);
  });

  it('answers an unknown route with a JSON 404', async () => {
    const response = await fetch(`${agent.baseUrl}/no/such/route`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('stops cleanly on SIGTERM', async () => {
    const code = await agent.stop();
    expect(code).toBe(0);
  });
});
