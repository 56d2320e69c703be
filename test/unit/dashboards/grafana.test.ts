import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../alerts/metrics.ts';
import { DASHBOARDS, renderDashboard } from '../../../dashboards/grafana/generate.ts';
import { dashboardFiles, dashboardQueries, metricNames } from '../../support/dashboard-queries.ts';

interface Datasource {
  type: string;
  uid: string;
}

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: Datasource;
  gridPos: { x: number; y: number; w: number; h: number };
  fieldConfig?: { defaults: { unit?: string } };
  targets?: { datasource: Datasource; expr: string; refId: string }[];
}

interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  __inputs?: unknown;
  templating: { list: { name: string; type: string; query?: unknown; datasource?: Datasource }[] };
  panels: Panel[];
}

const load = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
const VARIABLE_DS = { type: 'prometheus', uid: '${datasource}' };
const content = (panels: Panel[]) => panels.filter((p) => p.type !== 'row');

describe('Grafana dashboards', () => {
  it('are the three the generator writes, committed as it writes them', () => {
    const files = dashboardFiles().map((f) => path.basename(f));
    expect(files.sort()).toEqual(DASHBOARDS.map((d) => d.file).sort());
    for (const spec of DASHBOARDS) {
      const committed = readFileSync(path.join(path.dirname(dashboardFiles()[0]!), spec.file), 'utf8');
      expect(committed, `${spec.file}: run npx tsx dashboards/grafana/generate.ts`).toBe(renderDashboard(spec));
    }
  });

  it('provision with no edits: the data source is a variable, never an import-time input', () => {
    for (const file of dashboardFiles()) {
      const text = readFileSync(file, 'utf8');
      const dashboard = load(file);
      expect(dashboard.__inputs, file).toBeUndefined();
      expect(text, file).not.toMatch(/\$\{DS_/);
      expect(dashboard.templating.list[0], file).toMatchObject({
        name: 'datasource',
        type: 'datasource',
        query: 'prometheus',
      });
      for (const panel of content(dashboard.panels)) {
        expect(panel.datasource, `${file}: ${panel.title}`).toEqual(VARIABLE_DS);
        for (const target of panel.targets ?? [])
          expect(target.datasource, `${file}: ${panel.title}`).toEqual(VARIABLE_DS);
      }
      for (const variable of dashboard.templating.list.filter((v) => v.type === 'query'))
        expect(variable.datasource, `${file}: $${variable.name}`).toEqual(VARIABLE_DS);
    }
  });

  it('have job, host and instance variables that every query honours', () => {
    for (const file of dashboardFiles()) {
      const dashboard = load(file);
      const names = dashboard.templating.list.map((v) => v.name);
      expect(names, file).toEqual(expect.arrayContaining(['datasource', 'job', 'host', 'instance']));
      for (const panel of content(dashboard.panels)) {
        for (const target of panel.targets ?? []) {
          // Every selector of a series (not a label_values() query): name{...job...host...instance...}
          const selectors = target.expr.match(/\b[a-z_]+\{[^}]*\}/g) ?? [];
          expect(selectors.length, `${panel.title}: ${target.expr}`).toBeGreaterThan(0);
          for (const selector of selectors) {
            expect(selector, panel.title).toContain('job=~"$job"');
            expect(selector, panel.title).toContain('host=~"$host"');
            expect(selector, panel.title).toContain('instance=~"$instance"');
          }
        }
      }
    }
  });

  it("offer the hosts of Prometheus' host target label, many at once or All, and narrow later variables by it", () => {
    for (const file of dashboardFiles()) {
      const variables = load(file).templating.list as (Dashboard['templating']['list'][number] & {
        multi?: boolean;
        includeAll?: boolean;
        allValue?: string;
      })[];
      const host = variables.find((v) => v.name === 'host');
      expect(host, file).toMatchObject({ type: 'query', multi: true, includeAll: true, allValue: '.*' });
      expect(host?.query, file).toMatchObject({ query: 'label_values(shipwatch_events_total{job=~"$job"}, host)' });
      const later = variables.slice(variables.indexOf(host!) + 1).filter((v) => v.type === 'query');
      expect(later.length, file).toBeGreaterThan(0);
      for (const variable of later)
        expect((variable.query as { query: string }).query, `${file}: $${variable.name}`).toContain('host=~"$host"');
    }
  });

  it('count container series once beside cAdvisor: only series with a workload label', () => {
    const containerQueries = dashboardQueries().filter((q) =>
      metricNames(q.expr).some((n) => n.startsWith('container_')),
    );
    expect(containerQueries.length).toBeGreaterThanOrEqual(4);
    for (const query of containerQueries) expect(query.expr, query.panel).toContain('workload!=""');
  });

  it('put a unit on every panel and keep to Grafana’s dashboard model', () => {
    for (const file of dashboardFiles()) {
      const dashboard = load(file);
      expect(dashboard.uid, file).toMatch(/^[a-z0-9-]{1,40}$/);
      expect(dashboard.schemaVersion, file).toBeGreaterThanOrEqual(36);
      const ids = dashboard.panels.map((p) => p.id);
      expect(new Set(ids).size, `${file}: panel ids unique`).toBe(ids.length);
      for (const panel of dashboard.panels) {
        const { x, w, h } = panel.gridPos;
        expect(x + w, `${file}: ${panel.title} fits the 24-column grid`).toBeLessThanOrEqual(24);
        expect(h, panel.title).toBeGreaterThan(0);
      }
      for (const panel of content(dashboard.panels)) {
        expect(panel.fieldConfig?.defaults.unit, `${file}: ${panel.title}`).toMatch(/\S/);
        const refIds = (panel.targets ?? []).map((t) => t.refId);
        expect(new Set(refIds).size, panel.title).toBe(refIds.length);
      }
    }
  });

  it('query only metrics that shipwatch exports', async () => {
    const exported = new Set((await new Metrics().registry.getMetricsAsJSON()).map((m) => m.name));
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(20);
    for (const query of queries) {
      for (const name of metricNames(query.expr)) expect(exported.has(name), `${query.panel}: ${name}`).toBe(true);
    }
  });

  it('show container traffic by source and destination workload', () => {
    const traffic = dashboardQueries().filter((q) => q.expr.includes('shipwatch_flow_bytes_total'));
    expect(traffic.some((q) => /by \(src_workload, dst_workload\)/.test(q.expr))).toBe(true);
  });
});
