// The network map: GET /api/map (re-read when the stream says flows, containers or alerts
// changed, and every few seconds so old edges age out), drawn by the graph adapter, with the same
// edges as a table (for screen readers, and for anyone who prefers numbers) and a panel for
// what was clicked. External destinations are collapsed per workload until expanded.
import { $, bytes, el, throttled, time } from './dom.js';
import { getJson } from './api.js';
import { buildGraph } from './map-model.js';
import { createGraph } from './graph-d3.js';

const expanded = new Set();
let data = { nodes: [], edges: [] };
let graph = { groups: [], nodes: [], links: [] };
let drawing = null;
let selection = null; // { kind: 'node' | 'link', id }
let started = false; // the hub's page (fleet mode) never starts the map, so never reads /api/map

const nodeName = (id) => graph.nodes.find((n) => n.id === id)?.label ?? id;

async function load() {
  if (!started) return;
  const windowValue = $('#map-window').value;
  data = await getJson(`/api/map?window=${encodeURIComponent(windowValue)}`);
  render();
}

function render() {
  graph = buildGraph(data, expanded);
  drawing?.update(graph);
  renderTable();
  renderSelection();
  $('#map-summary').textContent =
    `${graph.nodes.filter((n) => n.kind === 'workload').length} workloads, ${graph.links.length} edges ` +
    `in the last ${data.windowMinutes ?? '?'} min`;
}

function renderTable() {
  const rows = [...graph.links]
    .sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''))
    .map((l) =>
      el(
        'tr',
        { data: { id: l.id, source: l.source, target: l.target, marks: l.marks.join(' ') } },
        el('td', { text: nodeName(l.source) }),
        el('td', { text: nodeName(l.target) }),
        el('td', { text: l.label }),
        el('td', { text: bytes(l.bytes) }),
        el('td', { text: String(l.packets) }),
        el('td', { text: time(l.lastSeen) }),
        el('td', { className: 'marks', text: l.marks.join(', ') || '—' }),
      ),
    );
  for (const row of rows) row.addEventListener('click', () => select('link', row.dataset.id));
  $('#map-edges tbody').replaceChildren(...rows);
}

function select(kind, id) {
  const node = kind === 'node' ? graph.nodes.find((n) => n.id === id) : null;
  if (node?.kind === 'external-group') {
    expanded.add(node.owner);
    selection = { kind: 'node', id: node.owner };
    return render();
  }
  selection = { kind, id };
  renderSelection();
}

function renderSelection() {
  const panel = $('#map-selection');
  if (!selection) return void (panel.hidden = true);
  panel.hidden = false;
  const parts = [];
  if (selection.kind === 'node') {
    const n = graph.nodes.find((x) => x.id === selection.id);
    if (!n) return void (panel.hidden = true);
    parts.push(el('h3', { text: n.label }), el('p', { text: `${n.kind}${n.state ? `, ${n.state}` : ''}` }));
    if (n.containers?.length)
      parts.push(el('p', { text: `containers: ${n.containers.map((c) => `${c.name} (${c.state})`).join(', ')}` }));
    if (n.networks?.length)
      parts.push(el('p', { text: `networks: ${n.networks.map((x) => `${x.name} (zone ${x.zone})`).join(', ')}` }));
    if (expanded.has(n.id)) {
      const collapse = el('button', { text: 'collapse external destinations', attrs: { type: 'button' } });
      collapse.addEventListener('click', () => {
        expanded.delete(n.id);
        render();
      });
      parts.push(collapse);
    }
  } else {
    const l = graph.links.find((x) => x.id === selection.id);
    if (!l) return void (panel.hidden = true);
    parts.push(el('h3', { text: `${nodeName(l.source)} → ${nodeName(l.target)}` }));
    parts.push(
      el('p', {
        text: `${l.label}: ${bytes(l.bytes)}, ${l.packets} packets, ${l.flows} flows, last ${time(l.lastSeen)}`,
      }),
    );
    if (l.marks.length) parts.push(el('p', { className: 'marks', text: `marked: ${l.marks.join(', ')}` }));
    const list = el('ul');
    for (const e of l.edges) {
      const what = e.remote ? (e.remote.name ? `${e.remote.name} ${e.remote.ip}` : e.remote.ip) : e.target;
      const rules = Object.entries(e.alerts ?? {}).map(([rule, n]) => `${rule} ×${n}`);
      list.append(
        el('li', {
          text: `${what} ${e.protocol}/${e.port ?? '—'}: ${bytes(e.bytes)}, ${e.packets} packets, networks ${e.networks.join(' → ')}${rules.length ? `; alerts: ${rules.join(', ')}` : ''}`,
        }),
      );
    }
    parts.push(list);
  }
  const close = el('button', { className: 'close', text: 'close', attrs: { type: 'button' } });
  close.addEventListener('click', () => {
    selection = null;
    renderSelection();
  });
  panel.replaceChildren(...parts, close);
}

export const refreshMap = throttled(load, 1000);

export function startMap() {
  started = true;
  if (window.d3?.layout?.force) drawing = createGraph($('#map-svg'), { onSelect: select });
  else $('#map-missing').hidden = false;
  $('#map-window').addEventListener('change', () => void load().catch(() => undefined));
  setInterval(refreshMap, 10_000);
  return load().catch(() => undefined);
}
