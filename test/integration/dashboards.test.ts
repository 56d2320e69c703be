import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { dashboardQueries } from '../support/dashboard-queries.ts';
import { Prometheus } from '../support/prometheus.ts';
import { removeContainers, runContainer, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

describe('Grafana dashboard queries against a real Prometheus scraping the agent', () => {
  const prometheus = new Prometheus();
  const name = uniqueName('dash');
  // The target label docs/multi-host.md's file-based discovery gives each agent.
  const host = uniqueName('dash-host');
  let agent: AgentProcess;

  beforeAll(async () => {
    await runContainer(name);
    agent = await startAgent();
    await prometheus.start(agent.baseUrl.replace('http://', ''), { host });
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

  it("narrows the panels to the hosts chosen in $host: this agent's series for its host, none for another", async () => {
    // The gauges' panels: they have a value from the first scrape (a rate needs two).
    const probe = (chosen: string) =>
      dashboardQueries({ host: chosen }).filter((q) => /shipwatch_(source_up|containers)\{/.test(q.expr));
    expect(probe(host).length).toBeGreaterThan(1);
    for (const query of probe(host)) {
      await waitFor(async () => ((await prometheus.query(query.expr)).data?.result.length ?? 0) > 0, {
        timeout: 15_000,
        what: `${query.panel} with host ${host}: ${query.expr}`,
      });
    }
    for (const query of probe('some-other-host')) {
      const result = await prometheus.query(query.expr);
      expect(result.data?.result, query.expr).toEqual([]);
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
