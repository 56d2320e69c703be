// The live page's map model (dashboards/web/map-model.js): groups, collapsed external destinations
// and the marks the map shows.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain browser JS without type declarations
import { buildGraph } from '../../../dashboards/web/map-model.js';

interface Graph {
  groups: { id: string; label: string }[];
  nodes: { id: string; kind: string; label: string; group: string }[];
  links: { id: string; source: string; target: string; bytes: number; marks: string[] }[];
}
const build = buildGraph as (data: unknown, expanded?: Set<string>) => Graph;

const edge = (over: Record<string, unknown>) => ({
  kind: 'workload',
  protocol: 'tcp',
  port: 80,
  remote: null,
  bytes: 100,
  packets: 2,
  flows: 1,
  lastSeen: '2026-11-23T04:00:00.000Z',
  networks: ['front'],
  crossSegment: false,
  unlearned: false,
  alerts: {},
  ...over,
});
const data = {
  nodes: [
    {
      id: 'w:shop/web',
      workload: 'shop/web',
      state: 'monitoring',
      containers: [],
      networks: [{ name: 'front', zone: 'dmz' }],
    },
    {
      id: 'w:shop/db',
      workload: 'shop/db',
      state: 'learning',
      containers: [],
      networks: [{ name: 'back', zone: 'back' }],
    },
  ],
  edges: [
    edge({ id: 'a', source: 'w:shop/web', target: 'w:shop/db', crossSegment: true }),
    edge({
      id: 'b',
      source: 'w:shop/web',
      target: 'x:203.0.113.10',
      kind: 'external',
      remote: { ip: '203.0.113.10', name: null },
      unlearned: true,
      alerts: { unexpected_egress: 1 },
    }),
    edge({
      id: 'c',
      source: 'w:shop/web',
      target: 'x:203.0.113.20',
      kind: 'external',
      remote: { ip: '203.0.113.20', name: 'partner.test' },
    }),
  ],
};

describe('buildGraph', () => {
  it('groups workloads by their network and names its zone', () => {
    const g = build(data);
    expect(g.groups.map((x) => x.label)).toEqual(['back', 'front · zone dmz', 'outside Docker']);
    expect(g.nodes.find((n) => n.id === 'w:shop/web')?.group).toBe('net:front');
  });

  it("collapses a workload's external destinations into one node whose link carries their totals and marks", () => {
    const g = build(data);
    const group = g.nodes.find((n) => n.kind === 'external-group');
    expect(group?.label).toBe('2 external destinations');
    const link = g.links.find((l) => l.target === group?.id);
    expect(link).toMatchObject({ bytes: 200, marks: ['never-learned', 'alert'] });
    expect(g.links.find((l) => l.id === 'a')?.marks).toEqual(['cross-segment']);
  });

  it('shows each external destination once the workload is expanded', () => {
    const g = build(data, new Set(['w:shop/web']));
    expect(g.nodes.filter((n) => n.kind === 'external').map((n) => n.label)).toEqual([
      '203.0.113.10',
      'partner.test (203.0.113.20)',
    ]);
    expect(g.links.map((l) => l.id).sort()).toEqual(['a', 'b', 'c']);
  });

  it('draws traffic between the host and an outside address as its own edge, with both ends', () => {
    const g = build({
      nodes: [],
      edges: [
        edge({
          id: 'h',
          source: 'host',
          target: 'x:203.0.113.10',
          kind: 'external',
          remote: { ip: '203.0.113.10', name: null },
        }),
      ],
    });
    expect(g.links.map((l) => [l.source, l.target])).toEqual([['host', 'x:203.0.113.10']]);
    expect(g.nodes.map((n) => n.kind).sort()).toEqual(['external', 'host']);
  });
});
