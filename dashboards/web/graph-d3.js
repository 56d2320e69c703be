// The map's drawing, on d3 3.5's force layout (Debian's libjs-d3, served by the agent at
// /web/vendor/d3.min.js and loaded as a classic script: window.d3). Everything d3-specific is in
// this file behind createGraph(svg, { onSelect }) → { update(graph) }, so another library can
// replace it without touching the rest of the page. Labels are set with .text(): plain text only.
//
// No layout jumps: nodes keep their positions across updates; a node is pulled towards the
// centre of its network's cell, not thrown anywhere; the layout is only re-heated (gently) when
// nodes or links come or go, and counters alone just change the labels. A reply seen as its own
// flow (b → a beside a → b) has its label below the line, the other above, so both stay readable.
import { bytes } from './dom.js';

const W = 1200;
const H = 640;
const NODE_R = 18;

function hash(text) {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0;
  return Math.abs(h);
}

function foci(groups) {
  const cols = Math.max(1, Math.ceil(Math.sqrt(groups.length)));
  const rows = Math.max(1, Math.ceil(groups.length / cols));
  return new Map(
    groups.map((g, i) => [g.id, { x: ((i % cols) + 0.5) * (W / cols), y: (Math.floor(i / cols) + 0.5) * (H / rows) }]),
  );
}

const stateWord = (n) =>
  n.kind === 'workload'
    ? n.state
    : n.kind === 'external-group'
      ? 'click to expand'
      : n.kind === 'host'
        ? 'host'
        : 'external';

export function createGraph(svgElement, { onSelect }) {
  const d3 = window.d3;
  const svg = d3.select(svgElement).attr('viewBox', `0 0 ${W} ${H}`).attr('preserveAspectRatio', 'xMidYMid meet');
  const groupLayer = svg.append('g').attr('class', 'groups');
  const linkLayer = svg.append('g').attr('class', 'links');
  const nodeLayer = svg.append('g').attr('class', 'nodes');
  let nodes = [];
  let links = [];
  let centres = new Map();
  let groups = [];
  let shapeKey = '';

  const force = d3.layout
    .force()
    .size([W, H])
    .gravity(0)
    .charge(-300)
    .linkDistance(120)
    .linkStrength(0.04)
    .friction(0.8);

  function tick(e) {
    // The pull towards the network's cell is what keeps groups apart; links only bend within it.
    const k = 0.6 * (e?.alpha ?? 0.05);
    separate();
    for (const n of nodes) {
      const c = centres.get(n.group);
      if (!c) continue;
      n.x += (c.x - n.x) * k;
      n.y += (c.y - n.y) * k;
      n.x = Math.max(NODE_R + 40, Math.min(W - NODE_R - 40, n.x));
      n.y = Math.max(NODE_R + 30, Math.min(H - NODE_R - 30, n.y));
    }
    linkLayer
      .selectAll('g.edge')
      .select('line')
      .attr('x1', (l) => l.source.x)
      .attr('y1', (l) => l.source.y)
      .attr('x2', (l) => l.target.x)
      .attr('y2', (l) => l.target.y);
    linkLayer
      .selectAll('g.edge')
      .select('text')
      .attr('x', (l) => (l.source.x + l.target.x) / 2)
      .attr('y', (l) => (l.source.y + l.target.y) / 2 + (l.source.id < l.target.id ? -6 : 14));
    nodeLayer.selectAll('g.node').attr('transform', (n) => `translate(${n.x},${n.y})`);
    groupLayer.selectAll('g.group').each(function (g) {
      const members = nodes.filter((n) => n.group === g.id);
      const box = d3.select(this);
      if (!members.length) return box.attr('display', 'none');
      const xs = members.map((n) => n.x);
      const ys = members.map((n) => n.y);
      const x = Math.min(...xs) - 70;
      const y = Math.min(...ys) - 48;
      box.attr('display', null);
      box
        .select('rect')
        .attr('x', x)
        .attr('y', y)
        .attr('width', Math.max(...xs) - x + 70)
        .attr('height', Math.max(...ys) - y + 44);
      box
        .select('text')
        .attr('x', x + 8)
        .attr('y', y + 16);
    });
  }
  force.on('tick', tick);

  // Nodes with their labels must not sit on each other: push overlapping pairs apart. Quadratic,
  // which is nothing for the few dozen workloads of one host.
  function separate() {
    const min = NODE_R * 2 + 70;
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i + 1; j < nodes.length; j++) {
        const a = nodes[i];
        const b = nodes[j];
        let dx = b.x - a.x;
        let dy = b.y - a.y;
        let d = Math.hypot(dx, dy);
        if (d >= min) continue;
        if (d === 0) {
          dx = 1;
          dy = 0;
          d = 1;
        }
        const push = (min - d) / 2 / d;
        a.x -= dx * push;
        a.y -= dy * push;
        b.x += dx * push;
        b.y += dy * push;
      }
    }
  }

  function update(graph) {
    centres = foci(graph.groups);
    groups = graph.groups;
    const previous = new Map(nodes.map((n) => [n.id, n]));
    nodes = graph.nodes.map((n) => {
      const old = previous.get(n.id);
      if (old) return Object.assign(old, n);
      const c = centres.get(n.group) ?? { x: W / 2, y: H / 2 };
      const h = hash(n.id);
      return { ...n, x: c.x + ((h % 60) - 30), y: c.y + (((h >> 6) % 60) - 30) };
    });
    const byId = new Map(nodes.map((n) => [n.id, n]));
    links = graph.links
      .filter((l) => byId.has(l.source) && byId.has(l.target))
      .map((l) => ({ ...l, source: byId.get(l.source), target: byId.get(l.target) }));

    const g = groupLayer.selectAll('g.group').data(groups, (d) => d.id);
    const gEnter = g.enter().append('g').attr('class', 'group');
    gEnter.append('rect').attr('rx', 10);
    gEnter.append('text').attr('class', 'group-label');
    g.attr('data-id', (d) => d.id)
      .select('text')
      .text((d) => d.label);
    g.exit().remove();

    const e = linkLayer.selectAll('g.edge').data(links, (d) => d.id);
    const eEnter = e.enter().append('g').attr('class', 'edge');
    eEnter.append('line');
    eEnter.append('text').attr('class', 'edge-label');
    eEnter.on('click', (d) => onSelect('link', d.id));
    e.attr('data-id', (d) => d.id)
      .attr('data-source', (d) => d.source.id)
      .attr('data-target', (d) => d.target.id)
      .attr('data-marks', (d) => d.marks.join(' '))
      .attr('class', (d) => ['edge', ...d.marks.map((m) => `mark-${m}`)].join(' '));
    e.select('line').attr('stroke-width', (d) => Math.min(8, 1.5 + Math.log10(1 + d.bytes) / 1.5));
    e.select('text').text((d) => [d.label, bytes(d.bytes), ...d.marks.map((m) => `⚠ ${m}`)].join(' · '));
    e.exit().remove();

    const n = nodeLayer.selectAll('g.node').data(nodes, (d) => d.id);
    const nEnter = n.enter().append('g').attr('class', 'node');
    nEnter.append('path').attr('class', 'shape');
    nEnter
      .append('text')
      .attr('class', 'node-label')
      .attr('text-anchor', 'middle')
      .attr('dy', NODE_R + 16);
    nEnter
      .append('text')
      .attr('class', 'node-state')
      .attr('text-anchor', 'middle')
      .attr('dy', NODE_R + 30);
    nEnter.on('click', (d) => onSelect('node', d.id));
    n.attr('data-id', (d) => d.id)
      .attr('data-kind', (d) => d.kind)
      .attr('data-state', (d) => d.state ?? '')
      .attr('class', (d) => `node kind-${d.kind} state-${d.state ?? 'none'}`);
    n.select('path').attr('d', (d) => shape(d));
    n.select('.node-label').text((d) => d.label);
    n.select('.node-state').text((d) => stateWord(d));
    n.exit().remove();

    force.nodes(nodes).links(links);
    const key = `${nodes.map((x) => x.id).join()}|${links.map((x) => x.id).join()}|${groups.map((x) => x.id).join()}`;
    if (key !== shapeKey) {
      // Something came or went: settle gently, from where everything already is.
      const first = shapeKey === '';
      shapeKey = key;
      force.start();
      force.alpha(first ? 0.1 : 0.04);
    } else {
      tick();
    }
  }

  return { update };
}

/** Shape by kind and state, so state reads without colour: circle, dashed circle, square, diamond. */
function shape(d) {
  const r = NODE_R;
  if (d.kind === 'external' || d.kind === 'external-group') return `M0,${-r} L${r},0 L0,${r} L${-r},0 Z`;
  if (d.kind === 'host') return `M${-r},${-r * 0.7} H${r} V${r * 0.7} H${-r} Z`;
  if (d.state === 'isolated')
    return `M${-r},${-r} H${r} V${r} H${-r} Z M${-r / 2},${-r / 2} L${r / 2},${r / 2} M${r / 2},${-r / 2} L${-r / 2},${r / 2}`;
  return `M${-r},0 A${r},${r} 0 1,0 ${r},0 A${r},${r} 0 1,0 ${-r},0 Z`;
}
