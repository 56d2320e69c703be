import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { apiContainers, differences, inspect, type ApiContainer } from '../support/inventory-match.ts';
import { DOCKER_HOST, docker, removeContainers, removeNetworks, runContainer, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

describe('GET /api/containers against the private Docker daemon', () => {
  const front = uniqueName('front');
  const back = uniqueName('back');
  const api = uniqueName('api');
  const web = uniqueName('web');
  let agent: AgentProcess;

  /** Within 2 s of a change, the agent's view of `name` is docker inspect's. */
  async function expectMatchWithin2s(name: string): Promise<void> {
    let last: string[] = [];
    await waitFor(
      async () => {
        const [truth, listed] = await Promise.all([inspect(DOCKER_HOST, name), apiContainers(agent.baseUrl)]);
        last = differences(
          truth,
          listed.find((c) => c.name === name),
        );
        return last.length === 0;
      },
      { timeout: 2000, interval: 50, what: `the inventory to match docker inspect for ${name}` },
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${last.join('; ')}`);
    });
  }

  async function one(name: string): Promise<{ status: number; body: ApiContainer & { error?: { message: string } } }> {
    const response = await fetch(`${agent.baseUrl}/api/containers/${encodeURIComponent(name)}`);
    return { status: response.status, body: (await response.json()) as ApiContainer & { error?: { message: string } } };
  }

  beforeAll(async () => {
    await docker('network', 'create', front);
    await docker('network', 'create', '--label', 'shipwatch.zone=backend', back);
    agent = await startAgent(['--learn', '10m']);
    await waitFor(
      async () =>
        ((await (await fetch(`${agent.baseUrl}/healthz`)).json()) as { sources: { docker?: { state: string } } })
          .sources.docker?.state === 'up',
      { timeout: 15_000, what: 'docker up' },
    );
  });

  afterAll(async () => {
    await agent?.stop();
    await removeContainers(api, web);
    await removeNetworks(front, back);
  });

  it('lists a container on two user networks with its address, MAC and alias on each', async () => {
    await runContainer(api, ['--network', front, '--network-alias', 'api']);
    await docker('network', 'connect', '--alias', 'api-internal', back, api);
    await expectMatchWithin2s(api);
    const { body } = await one(api);
    expect(body.networks.find((n) => n.name === front)?.aliases).toContain('api');
    expect(body.networks.find((n) => n.name === back)?.aliases).toContain('api-internal');
    expect(body.networks.find((n) => n.name === back)?.zone).toBe('backend');
    expect(body.networks.find((n) => n.name === front)?.zone).toBe(front);
  });

  it('follows stop, start, kill and remove within 2 s each', async () => {
    await docker('stop', '-t', '1', api);
    await expectMatchWithin2s(api);
    await docker('start', api);
    await expectMatchWithin2s(api);
    await docker('kill', api);
    await expectMatchWithin2s(api);
    expect((await one(api)).body.dockerState).toBe('exited');
    await docker('rm', api);
    await expectMatchWithin2s(api);
    expect((await one(api)).status).toBe(404);
  });

  it('gives a Compose-labelled container project/service as workload and a learning state', async () => {
    await runContainer(web, [
      ...['--network', front, '--label', 'com.docker.compose.project=shop'],
      ...['--label', 'com.docker.compose.service=web'],
    ]);
    await expectMatchWithin2s(web);
    const { body } = await one(web);
    expect(body.workload).toBe('shop/web');
    expect(body.labels['com.docker.compose.service']).toBe('web');
    expect(body.state).toBe('learning');
    expect(body.startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('finds a container by id prefix as well as by name', async () => {
    const id = await docker('inspect', '--format', '{{.Id}}', web);
    expect((await one(id.slice(0, 12))).body.name).toBe(web);
  });

  it('answers an unknown container with a 404 naming it', async () => {
    const { status, body } = await one('no-such-container');
    expect(status).toBe(404);
    expect(body.error?.message).toContain('no-such-container');
  });

  it('counts live containers by state in shipwatch_containers', async () => {
    await waitFor(
      async () => {
        const listed = await apiContainers(agent.baseUrl);
        const live = listed.filter((c) => ['running', 'paused', 'restarting'].includes(c.dockerState));
        const text = await (await fetch(`${agent.baseUrl}/metrics`)).text();
        const gauge = Number(/^shipwatch_containers\{state="learning"\} (\d+)$/m.exec(text)?.[1] ?? NaN);
        return gauge >= 1 && gauge === live.filter((c) => c.state === 'learning').length;
      },
      { timeout: 5000, what: 'shipwatch_containers{state="learning"} to count the live containers' },
    );
  });
});
