import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { dashboardQueries } from '../support/dashboard-queries.ts';
import { Prometheus } from '../support/prometheus.ts';
import { removeContainers, runContainer, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

describe('Grafana dashboard queries against a real Prometheus scraping the agent', () => {
  const prometheus = new Prometheus();
  const name = uniqueName('dash');
  let agent: AgentProcess;

  beforeAll(async () => {
    await runContainer(name);
    agent = await startAgent();
    await prometheus.start(agent.baseUrl.replace('http://', ''));
    await prometheus.scraped();
  });

  afterAll(async () => {
    await prometheus.stop();
    await agent?.stop();
    await removeContainers(name);
  });

  it('evaluates every dashboard expression without error', async () => {
    for (const query of dashboardQueries()) {
      const result = await prometheus.query(query.expr);
      expect(result.error, `${query.panel}: ${query.expr}`).toBeUndefined();
      expect(result.status, `${query.panel}: ${query.expr}`).toBe('success');
    }
  });

  it('sees shipwatch events from the Docker source in Prometheus', async () => {
    const result = await waitFor(
      async () => {
        const r = await prometheus.query('sum by (source) (shipwatch_events_total{source="docker"})');
        return r.data?.result.length ? r : null;
      },
      { timeout: 15_000, what: 'shipwatch_events_total in Prometheus' },
    );
    expect(Number(result.data?.result[0]?.value[1])).toBeGreaterThan(0);
  });
});
