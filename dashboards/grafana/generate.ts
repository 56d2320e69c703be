// Writes the three Grafana dashboards (container traffic, security alerts, agent health) from one
// description, so every panel gets the same data source reference, variables, units and legend.
// Run `npx tsx dashboards/grafana/generate.ts` after a change; a unit test fails when the
// committed JSON differs from what this writes.
//
// The data source is a dashboard variable (`${datasource}`), not an `__inputs` entry: Grafana
// resolves `__inputs` only when a person imports through the UI, never under file provisioning, so
// a variable is what lets the same file be provisioned with no edits and imported by hand.
// Every shipwatch and container_* series is filtered by `job`, `host` and `instance`, and
// container_* series by a non-empty `workload`: beside cAdvisor (the usual neighbour, exporting the
// same container_* names without a workload label) nothing is counted twice. `host` is not a label
// shipwatch exports: it is the target label Prometheus adds per agent (docs/multi-host.md,
// file-based discovery). Its "All" is `.*`, which also matches a series with no host label, so a
// single agent scraped without one shows as before.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// Grafana's own dashboard schema (the types Grafana generates from its CUE definitions): the
// compiler checks every dashboard, panel and variable below against it.
import type { Dashboard, Panel, RowPanel, VariableModel } from '@grafana/schema';

const DS = { type: 'prometheus', uid: '${datasource}' } as const;
const SEL = 'job=~"$job", host=~"$host", instance=~"$instance"';
/** What a variable's label_values() query narrows by: the job and host chosen before it. */
const SCOPE = 'job=~"$job", host=~"$host"';

interface Target {
  expr: string;
  legend: string;
  instant?: boolean;
}

interface PanelSpec {
  title: string;
  description: string;
  type?: 'timeseries' | 'stat' | 'table' | 'bargauge' | 'state-timeline';
  unit: string;
  targets: Target[];
  /** Grid width out of 24 (default 12). */
  w?: number;
  h?: number;
  stack?: boolean;
}

interface RowSpec {
  row: string;
  panels: PanelSpec[];
}

interface DashboardSpec {
  file: string;
  uid: string;
  title: string;
  description: string;
  tags: string[];
  variables: VariableModel[];
  rows: RowSpec[];
}

function queryVariable(name: string, label: string, query: string, includeAll = true): VariableModel {
  return {
    name,
    label,
    type: 'query',
    datasource: DS,
    query: { query, refId: 'StandardVariableQuery' },
    refresh: 2,
    includeAll,
    allValue: '.*',
    multi: includeAll,
    // Without "All", no current value: Grafana selects the first the query returns.
    ...(includeAll ? { current: { selected: true, text: ['All'], value: ['$__all'] } } : {}),
    sort: 1,
  };
}

const COMMON_VARIABLES: VariableModel[] = [
  {
    name: 'datasource',
    label: 'Data source',
    type: 'datasource',
    query: 'prometheus',
    refresh: 1,
    hide: 0,
  },
  queryVariable('job', 'Job', 'label_values(shipwatch_events_total, job)'),
  queryVariable('host', 'Host', 'label_values(shipwatch_events_total{job=~"$job"}, host)'),
  queryVariable('instance', 'Instance', `label_values(shipwatch_events_total{${SCOPE}}, instance)`),
];

function panelJson(spec: PanelSpec, id: number, x: number, y: number): Panel {
  const type = spec.type ?? 'timeseries';
  const custom =
    type === 'timeseries'
      ? {
          drawStyle: 'line',
          lineWidth: 1,
          fillOpacity: spec.stack ? 30 : 10,
          stacking: { mode: spec.stack ? 'normal' : 'none', group: 'A' },
          axisLabel: '',
        }
      : {};
  const options =
    type === 'timeseries'
      ? {
          legend: { displayMode: 'table', placement: 'right', calcs: ['lastNotNull', 'max'] },
          tooltip: { mode: 'multi' },
        }
      : type === 'table'
        ? { showHeader: true }
        : { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, orientation: 'horizontal' };
  return {
    id,
    type,
    title: spec.title,
    description: spec.description,
    datasource: DS,
    gridPos: { x, y, w: spec.w ?? 12, h: spec.h ?? 8 },
    fieldConfig: { defaults: { unit: spec.unit, custom }, overrides: [] },
    options,
    targets: spec.targets.map((t, i) => ({
      datasource: DS,
      refId: String.fromCharCode(65 + i),
      expr: t.expr,
      legendFormat: t.legend,
      ...(t.instant ? { instant: true, range: false, format: 'table' } : {}),
    })),
  };
}

function dashboardJson(spec: DashboardSpec): Dashboard {
  const panels: (Panel | RowPanel)[] = [];
  let id = 1;
  let y = 0;
  for (const row of spec.rows) {
    panels.push({
      id: id++,
      type: 'row',
      title: row.row,
      collapsed: false,
      gridPos: { x: 0, y, w: 24, h: 1 },
      panels: [],
    });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const panel of row.panels) {
      const w = panel.w ?? 12;
      if (x + w > 24) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      panels.push(panelJson(panel, id++, x, y));
      x += w;
      rowHeight = Math.max(rowHeight, panel.h ?? 8);
    }
    y += rowHeight;
  }
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['shipwatch', ...spec.tags],
    timezone: 'browser',
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-1h', to: 'now' },
    refresh: '30s',
    templating: { list: [...COMMON_VARIABLES, ...spec.variables] },
    annotations: { list: [] },
    links: [
      {
        title: 'shipwatch',
        type: 'dashboards',
        tags: ['shipwatch'],
        asDropdown: true,
        icon: 'external link',
        tooltip: '',
        // Moving between the three dashboards keeps the chosen host, job and time range.
        includeVars: true,
        keepTime: true,
        targetBlank: false,
      },
    ],
    panels,
  };
}

const rate = (metric: string, filter = '') => `rate(${metric}{${SEL}${filter ? `, ${filter}` : ''}}[$__rate_interval])`;
const flowFilter = 'network=~"$network", src_workload=~"$workload"';
const containerFilter = 'workload=~"$workload", workload!=""';

export const DASHBOARDS: DashboardSpec[] = [
  {
    file: 'shipwatch-traffic.json',
    uid: 'shipwatch-traffic',
    title: 'shipwatch / Container traffic',
    description: 'Who talks to whom on the Docker bridges: flows from packet capture, by workload and network.',
    tags: ['network'],
    variables: [
      queryVariable('network', 'Network', `label_values(shipwatch_flow_bytes_total{${SCOPE}}, network)`),
      queryVariable('workload', 'Workload', `label_values(shipwatch_flow_bytes_total{${SCOPE}}, src_workload)`),
    ],
    rows: [
      {
        row: 'Flows between workloads',
        panels: [
          {
            title: 'Traffic between workloads',
            description:
              "Bytes per second by source and destination workload; outside addresses are grouped as 'external'.",
            unit: 'Bps',
            targets: [
              {
                expr: `sum by (src_workload, dst_workload) (${rate('shipwatch_flow_bytes_total', flowFilter)})`,
                legend: '{{src_workload}} → {{dst_workload}}',
              },
            ],
          },
          {
            title: 'Packets between workloads',
            description: 'Packets per second by source and destination workload.',
            unit: 'pps',
            targets: [
              {
                expr: `sum by (src_workload, dst_workload) (${rate('shipwatch_flow_packets_total', flowFilter)})`,
                legend: '{{src_workload}} → {{dst_workload}}',
              },
            ],
          },
          {
            title: 'Egress by workload',
            description: 'Bytes per second each workload sends to external destinations.',
            unit: 'Bps',
            stack: true,
            targets: [
              {
                expr: `sum by (src_workload) (${rate('shipwatch_flow_bytes_total', `${flowFilter}, dst_workload="external"`)})`,
                legend: '{{src_workload}}',
              },
            ],
          },
          {
            title: 'Top talkers',
            description: 'The ten source workloads sending the most bytes over the selected range.',
            type: 'bargauge',
            unit: 'Bps',
            targets: [
              {
                expr: `topk(10, sum by (src_workload) (${rate('shipwatch_flow_bytes_total', flowFilter)}))`,
                legend: '{{src_workload}}',
              },
            ],
          },
          {
            title: 'Cross-segment flows',
            description:
              'cross_segment_traffic alerts: flows between containers that share no network, or between zones the policy does not allow.',
            unit: 'short',
            targets: [
              {
                expr: `sum by (workload) (increase(shipwatch_alerts_total{${SEL}, rule="cross_segment_traffic", workload=~"$workload"}[5m]))`,
                legend: '{{workload}}',
              },
            ],
          },
          {
            title: 'New peers',
            description:
              'new_peer alerts: container-to-container flows between workloads that never talked during learning.',
            unit: 'short',
            targets: [
              {
                expr: `sum by (workload) (increase(shipwatch_alerts_total{${SEL}, rule="new_peer", workload=~"$workload"}[5m]))`,
                legend: '{{workload}}',
              },
            ],
          },
          {
            title: 'Active flows',
            description: 'Flows in the agent’s table, by network.',
            unit: 'short',
            targets: [
              { expr: `sum by (network) (shipwatch_flows_active{${SEL}, network=~"$network"})`, legend: '{{network}}' },
            ],
          },
        ],
      },
      {
        row: 'Containers (cAdvisor-compatible series with a workload label)',
        panels: [
          {
            title: 'Network receive',
            description: 'Bytes per second received by each container, from its network namespace’s counters.',
            unit: 'Bps',
            targets: [
              {
                expr: `sum by (name) (${rate('container_network_receive_bytes_total', containerFilter)})`,
                legend: '{{name}}',
              },
            ],
          },
          {
            title: 'Network transmit',
            description: 'Bytes per second sent by each container.',
            unit: 'Bps',
            targets: [
              {
                expr: `sum by (name) (${rate('container_network_transmit_bytes_total', containerFilter)})`,
                legend: '{{name}}',
              },
            ],
          },
          {
            title: 'CPU',
            description: 'CPU used by each container, in cores.',
            unit: 'short',
            targets: [
              {
                expr: `sum by (name) (${rate('container_cpu_usage_seconds_total', containerFilter)})`,
                legend: '{{name}}',
              },
            ],
          },
          {
            title: 'Memory working set',
            description: 'Working set of each container (usage minus inactive file pages).',
            unit: 'bytes',
            targets: [
              {
                expr: `sum by (name) (container_memory_working_set_bytes{${SEL}, ${containerFilter}})`,
                legend: '{{name}}',
              },
            ],
          },
        ],
      },
    ],
  },
  {
    file: 'shipwatch-alerts.json',
    uid: 'shipwatch-alerts',
    title: 'shipwatch / Security alerts',
    description:
      'What the detectors raised: rates by rule and severity, the workloads involved, isolations and detection latency.',
    tags: ['security'],
    variables: [
      queryVariable('workload', 'Workload', `label_values(shipwatch_alerts_total{${SCOPE}}, workload)`),
      queryVariable('severity', 'Severity', `label_values(shipwatch_alerts_total{${SCOPE}}, severity)`),
    ],
    rows: [
      {
        row: 'Alerts',
        panels: [
          {
            title: 'Alerts by rule',
            description:
              'New alerts per 5 minutes by rule and severity (repeats within the dedup window raise a count, not an alert).',
            unit: 'short',
            stack: true,
            targets: [
              {
                expr: `sum by (rule, severity) (increase(shipwatch_alerts_total{${SEL}, workload=~"$workload", severity=~"$severity"}[5m]))`,
                legend: '{{rule}} ({{severity}})',
              },
            ],
          },
          {
            title: 'Alerts by severity',
            description: 'New alerts over the selected range, by severity.',
            type: 'bargauge',
            unit: 'short',
            targets: [
              {
                expr: `sum by (severity) (increase(shipwatch_alerts_total{${SEL}, workload=~"$workload", severity=~"$severity"}[$__range]))`,
                legend: '{{severity}}',
              },
            ],
          },
          {
            title: 'Top workloads',
            description: 'The ten workloads with the most alerts over the selected range.',
            type: 'bargauge',
            unit: 'short',
            targets: [
              {
                expr: `topk(10, sum by (workload) (increase(shipwatch_alerts_total{${SEL}, workload=~"$workload", severity=~"$severity"}[$__range])))`,
                legend: '{{workload}}',
              },
            ],
          },
          {
            title: 'Isolations and releases',
            description:
              'Response actions per hour (container_isolated / container_released audit alerts) and containers isolated now.',
            unit: 'short',
            targets: [
              {
                expr: `sum by (rule) (increase(shipwatch_alerts_total{${SEL}, rule=~"container_isolated|container_released"}[1h]))`,
                legend: '{{rule}} per hour',
              },
              { expr: `sum(shipwatch_containers{${SEL}, state="isolated"})`, legend: 'isolated now' },
            ],
          },
        ],
      },
      {
        row: 'Detection latency (event to alert)',
        panels: [
          {
            title: 'Detection latency quantiles',
            description: 'From the event that caused an alert to the alert being journalled, all rules.',
            unit: 's',
            targets: [0.5, 0.95, 0.99].map((q) => ({
              expr: `histogram_quantile(${q}, sum by (le) (${rate('shipwatch_detection_latency_seconds_bucket')}))`,
              legend: `p${Math.round(q * 100)}`,
            })),
          },
          {
            title: 'Detection latency p95 by rule',
            description: '95th percentile per rule.',
            unit: 's',
            targets: [
              {
                expr: `histogram_quantile(0.95, sum by (le, rule) (${rate('shipwatch_detection_latency_seconds_bucket')}))`,
                legend: '{{rule}}',
              },
            ],
          },
        ],
      },
    ],
  },
  {
    file: 'shipwatch-agent.json',
    uid: 'shipwatch-agent',
    title: 'shipwatch / Agent health',
    description: 'Is the agent seeing everything? Sources, capture loss, event rates, alert delivery and its own cost.',
    tags: ['health'],
    variables: [],
    rows: [
      {
        row: 'Sources',
        panels: [
          {
            title: 'Sources up',
            description:
              'shipwatch_source_up per source: 1 when the source is up, 0 otherwise (see /healthz for the reason).',
            type: 'state-timeline',
            unit: 'bool_on_off',
            targets: [{ expr: `max by (source) (shipwatch_source_up{${SEL}})`, legend: '{{source}}' }],
            w: 24,
          },
          {
            title: 'Events by source',
            description: 'Events per second each source emits.',
            unit: 'short',
            targets: [{ expr: `sum by (source) (${rate('shipwatch_events_total')})`, legend: '{{source}}' }],
          },
          {
            title: 'Containers by state',
            description: 'Live containers learning, monitoring or isolated.',
            unit: 'short',
            targets: [{ expr: `sum by (state) (shipwatch_containers{${SEL}})`, legend: '{{state}}' }],
          },
        ],
      },
      {
        row: 'Packet capture',
        panels: [
          {
            title: 'Captured packets per interface',
            description: 'Packets per second the capture of each bridge received.',
            unit: 'pps',
            targets: [
              { expr: `sum by (interface) (${rate('shipwatch_capture_packets_total')})`, legend: '{{interface}}' },
            ],
          },
          {
            title: 'Dropped packets per interface',
            description: 'Packets per second the kernel dropped because the capture did not keep up (its own count).',
            unit: 'pps',
            targets: [
              { expr: `sum by (interface) (${rate('shipwatch_capture_dropped_total')})`, legend: '{{interface}}' },
            ],
          },
        ],
      },
      {
        row: 'Alert delivery',
        panels: [
          {
            title: 'Sink deliveries',
            description: 'Delivery attempts per second by sink and outcome.',
            unit: 'short',
            targets: [
              {
                expr: `sum by (sink, outcome) (${rate('shipwatch_sink_deliveries_total')})`,
                legend: '{{sink}} {{outcome}}',
              },
            ],
          },
          {
            title: 'Sink queue depth',
            description: 'Alerts waiting in each sink’s durable queue.',
            unit: 'short',
            targets: [{ expr: `sum by (sink) (shipwatch_sink_queue_depth{${SEL}})`, legend: '{{sink}}' }],
          },
        ],
      },
      {
        row: 'The agent itself',
        panels: [
          {
            title: 'Agent CPU',
            description: 'CPU the agent process uses (1 = one full core).',
            unit: 'percentunit',
            targets: [{ expr: `sum by (instance) (${rate('process_cpu_seconds_total')})`, legend: '{{instance}}' }],
          },
          {
            title: 'Agent memory',
            description: 'Resident memory of the agent process.',
            unit: 'bytes',
            targets: [{ expr: `sum by (instance) (process_resident_memory_bytes{${SEL}})`, legend: '{{instance}}' }],
          },
        ],
      },
    ],
  },
];

export function renderDashboard(spec: DashboardSpec): string {
  return `${JSON.stringify(dashboardJson(spec), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = path.dirname(fileURLToPath(import.meta.url));
  for (const spec of DASHBOARDS) writeFileSync(path.join(dir, spec.file), renderDashboard(spec));
}
