import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../alerts/metrics.ts';
import { dashboardFiles, dashboardQueries, metricNames } from '../../support/dashboard-queries.ts';

describe('Grafana dashboards', () => {
  it('are exported for sharing, asking for a Prometheus data source on import', () => {
    for (const file of dashboardFiles()) {
      const dashboard = JSON.parse(readFileSync(file, 'utf8')) as {
        __inputs: { name: string; pluginId: string }[];
        uid: string;
      };
      expect(dashboard.__inputs, file).toContainEqual(
        expect.objectContaining({ name: 'DS_PROMETHEUS', pluginId: 'prometheus' }),
      );
      expect(dashboard.uid, file).toMatch(/^[a-z0-9-]+$/);
    }
  });

  it('query only metrics that shipwatch exports', async () => {
    const exported = new Set((await new Metrics().registry.getMetricsAsJSON()).map((m) => m.name));
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(10);
    for (const query of queries) {
      for (const name of metricNames(query.expr)) expect(exported.has(name), `${query.panel}: ${name}`).toBe(true);
    }
  });

  it('show container traffic by source and destination workload', () => {
    const traffic = dashboardQueries().filter((q) => q.expr.includes('shipwatch_flow_bytes_total'));
    expect(traffic.some((q) => /by \(src_workload, dst_workload\)/.test(q.expr))).toBe(true);
  });
});
