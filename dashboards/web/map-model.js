// From GET /api/map (workload nodes, aggregated edges) to what the map draws: groups (a workload's
// first network, with its zone), nodes and links with their marks. External destinations are
// collapsed into one "external" node per workload unless that workload is expanded. Pure: no DOM,
// so test/unit/dashboards/map-model.test.ts can check it with fixtures.

const sum = (edges, key) => edges.reduce((n, e) => n + (e[key] ?? 0), 0);
const latest = (edges) =>
  edges
    .map((e) => e.lastSeen)
    .sort()
    .at(-1) ?? null;

/** Marks of an edge (or of edges collapsed into one): the words the map shows beside the line. */
export function marksOf(edges) {
  const marks = [];
  if (edges.some((e) => e.crossSegment)) marks.push('cross-segment');
  if (edges.some((e) => e.unlearned)) marks.push('never-learned');
  if (edges.some((e) => Object.keys(e.alerts ?? {}).length > 0)) marks.push('alert');
  return marks;
}

function groupOf(node) {
  const first = node.networks?.[0];
  if (!first) return { id: 'net:(none)', label: 'no network' };
  return {
    id: `net:${first.name}`,
    label: first.zone && first.zone !== first.name ? `${first.name} · zone ${first.zone}` : first.name,
  };
}

const remoteLabel = (edge) => {
  const r = edge.remote;
  if (!r) return edge.target;
  return r.name ? `${r.name} (${r.ip})` : r.ip;
};

/**
 * data: { nodes, edges } of /api/map; expanded: Set of workload node ids whose external
 * destinations are shown one by one.
 */
export function buildGraph(data, expanded = new Set()) {
  const groups = new Map();
  const nodes = new Map();
  const addGroup = (g) => groups.set(g.id, g);
  for (const n of data.nodes ?? []) {
    const group = groupOf(n);
    addGroup(group);
    nodes.set(n.id, {
      id: n.id,
      kind: 'workload',
      label: n.workload,
      state: n.state,
      group: group.id,
      containers: n.containers,
      networks: n.networks,
    });
  }
  // A workload that sent traffic but has no running container (it stopped inside the window).
  const ensureWorkload = (id) => {
    if (nodes.has(id) || !id.startsWith('w:')) return;
    addGroup({ id: 'net:(gone)', label: 'no longer running' });
    nodes.set(id, {
      id,
      kind: 'workload',
      label: id.slice(2),
      state: 'gone',
      group: 'net:(gone)',
      containers: [],
      networks: [],
    });
  };
  const outside = { id: 'outside', label: 'outside Docker' };
  const links = new Map();
  const addLink = (id, source, target, edges, label) => {
    links.set(id, {
      id,
      source,
      target,
      label,
      edges,
      bytes: sum(edges, 'bytes'),
      packets: sum(edges, 'packets'),
      flows: sum(edges, 'flows'),
      lastSeen: latest(edges),
      marks: marksOf(edges),
    });
  };
  const collapsed = new Map(); // workload id → its external edges, when collapsed
  for (const e of data.edges ?? []) {
    const external = e.kind === 'external';
    // Traffic between the host (or two outside addresses) and the outside has no workload to fold into.
    const workloadEnd = e.source.startsWith('w:') ? e.source : e.target.startsWith('w:') ? e.target : null;
    ensureWorkload(e.source);
    ensureWorkload(e.target);
    if (external && workloadEnd && !expanded.has(workloadEnd)) {
      collapsed.set(workloadEnd, [...(collapsed.get(workloadEnd) ?? []), e]);
      continue;
    }
    for (const end of [e.source, e.target]) {
      if (nodes.has(end)) continue;
      addGroup(outside);
      const remote = end === 'host' ? 'the Docker host (gateway)' : remoteLabel(e);
      nodes.set(end, { id: end, kind: end === 'host' ? 'host' : 'external', label: remote, group: outside.id });
    }
    addLink(e.id, e.source, e.target, [e], `${e.protocol}${e.port != null ? `/${e.port}` : ''}`);
  }
  for (const [workload, edges] of collapsed) {
    const id = `xg:${workload}`;
    const destinations = new Set(edges.map((e) => (e.source === workload ? e.target : e.source)));
    addGroup(outside);
    nodes.set(id, {
      id,
      kind: 'external-group',
      label: `${destinations.size} external destination${destinations.size === 1 ? '' : 's'}`,
      group: outside.id,
      owner: workload,
    });
    addLink(`${workload}|${id}`, workload, id, edges, `${edges.length} edge${edges.length === 1 ? '' : 's'}`);
  }
  return {
    groups: [...groups.values()].sort(
      (a, b) => (a.id === 'outside') - (b.id === 'outside') || a.id.localeCompare(b.id),
    ),
    nodes: [...nodes.values()],
    links: [...links.values()],
  };
}
