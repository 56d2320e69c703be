import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { apiContainers, differences, inspect } from '../support/inventory-match.ts';
import { SecondDockerd } from '../support/second-dockerd.ts';
import { TEST_IMAGE, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

interface Healthz {
  sources: Record<string, { state: string; detail: string | null }>;
}

// The shared daemon is never restarted: this file brings up a daemon of its own to crash.
describe('agent reconnecting to a dockerd that crashed and came back', () => {
  const daemon = new SecondDockerd();
  const network = uniqueName('d2net');
  const before = uniqueName('before');
  const meanwhile = uniqueName('meanwhile');
  let agent: AgentProcess;

  const dockerState = async () =>
    ((await (await fetch(`${agent.baseUrl}/healthz`)).json()) as Healthz).sources.docker?.state;

  async function expectMatch(names: string[], timeout: number): Promise<void> {
    let last: string[] = [];
    await waitFor(
      async () => {
        const listed = await apiContainers(agent.baseUrl);
        last = [];
        for (const name of names) {
          last.push(
            ...differences(
              await inspect(daemon.host, name),
              listed.find((c) => c.name === name),
            ),
          );
        }
        return last.length === 0;
      },
      { timeout, what: `the inventory to match the second daemon` },
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${last.join('; ')}`);
    });
  }

  beforeAll(async () => {
    await daemon.start();
    await daemon.loadTestImage();
    await daemon.docker('network', 'create', network);
    await daemon.docker(
      'run',
      '-d',
      '--pull=never',
      '--name',
      before,
      '--network',
      network,
      TEST_IMAGE,
      'sleep',
      '600',
    );
    agent = await startAgent(['--docker-host', daemon.host]);
  });

  afterAll(async () => {
    await agent?.stop();
    await daemon.destroy();
  });

  it('matches the second daemon before the crash', async () => {
    await expectMatch([before], 10_000);
  });

  it('reports docker down in /healthz once the daemon is killed', async () => {
    await daemon.kill();
    await waitFor(async () => (await dockerState()) === 'down', {
      timeout: 10_000,
      what: 'docker down in /healthz',
    }).catch((error: Error) => {
      throw new Error(
        `${error.message}; agent log: ${agent.logs
          .slice(-5)
          .map((l) => JSON.stringify(l))
          .join('\n')}`,
      );
    });
  });

  it('reconnects by itself and resyncs, including a container started while it was away', async () => {
    // The daemon comes back first on a socket the agent does not know, so the new container is
    // certainly started while the agent cannot see it; live-restore keeps it across the restart.
    await daemon.start(daemon.hiddenHost);
    await daemon.docker(
      'run',
      '-d',
      '--pull=never',
      '--name',
      meanwhile,
      '--network',
      network,
      TEST_IMAGE,
      'sleep',
      '600',
    );
    await daemon.stop();
    expect(await dockerState()).toBe('down');
    await daemon.start();
    await waitFor(async () => (await dockerState()) === 'up', { timeout: 40_000, what: 'docker up again in /healthz' });
    await expectMatch([before, meanwhile], 5000);
    expect(agent.logs.filter((l) => l.msg === 'docker connected')).toHaveLength(2);
    const listed = await apiContainers(agent.baseUrl);
    expect(listed.find((c) => c.name === meanwhile)?.dockerState).toBe('running');
  });

  it('keeps following events on the new connection', async () => {
    await daemon.docker('stop', '-t', '1', meanwhile);
    await expectMatch([meanwhile], 2000);
  });
});
