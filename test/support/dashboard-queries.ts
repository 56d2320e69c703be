// The PromQL expressions of the committed Grafana dashboards, with Grafana's variables filled in
// the way Grafana would for "All", so tests can check them against the metrics and a real Prometheus.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const DIR = path.resolve(import.meta.dirname, '../../dashboards/grafana');

interface Panel {
  title: string;
  type: string;
  targets?: { expr: string }[];
}

export interface DashboardQuery {
  dashboard: string;
  panel: string;
  expr: string;
}

/** Grafana's variables as "All" selects them (or as `chosen` picks them), and its interval variables as a typical value. */
export function fillVariables(expr: string, chosen: Record<string, string> = {}): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__range', '1h')
    .replace(/\$(job|host|instance|workload|network|severity)\b/g, (_, name: string) => chosen[name] ?? '.*');
}

export function dashboardFiles(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => path.join(DIR, f));
}

export function dashboardQueries(chosen: Record<string, string> = {}): DashboardQuery[] {
  return dashboardFiles().flatMap((file) => {
    const dashboard = JSON.parse(readFileSync(file, 'utf8')) as { title: string; panels: Panel[] };
    return dashboard.panels.flatMap((panel) =>
      (panel.targets ?? []).map((t) => ({
        dashboard: dashboard.title,
        panel: panel.title,
        expr: fillVariables(t.expr, chosen),
      })),
    );
  });
}

/** Metric names an expression reads (histogram series map back to their histogram). */
export function metricNames(expr: string): string[] {
  // A name followed by its selector: a rule id in a label value (container_isolated) is not a metric.
  const names = expr.match(/\b(shipwatch|container|process)_[a-z_]+(?=\{)/g) ?? [];
  return [...new Set(names.map((n) => n.replace(/_(bucket|sum|count)$/, '')))];
}
