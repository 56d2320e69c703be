// The incidents view of the live page: correlated incidents (GET /api/incidents, kept current by
// the stream's "incident" messages, which app.js hands to onIncident) and, for the one selected,
// its alerts in order beside the container's timeline and the Isolate button (response.js: it
// asks for confirmation like every other). Text only: every value here comes from containers.
// On the hub's page (fleet.js) the hub rebuilds each host's incidents from its alerts and sends
// no "incident" messages: the list is read again after alerts arrive (refreshIncidents), scoped
// to the selected host, keyed by host and id; the timeline stays on the host's own page.
import { getJson } from './api.js';
import { el, throttled } from './dom.js';
import { containerKey, inFleet, inScope, qualify } from './fleet.js';
import { responseButton } from './response.js';

const cell = (row, text, className) => row.append(el('td', { text: text ?? '', ...(className ? { className } : {}) }));
let stateOf = () => null;

const incidents = new Map(); // id (host/id in fleet mode) → incident (latest version)
let selected = null;
const MAX_INCIDENTS = 100;
const MAX_TIMELINE = 300;

const time = (value) => (value ? new Date(value).toLocaleTimeString() : '');
const keyOf = (incident) => containerKey(incident.host, incident.id);

function describe(entry) {
  const end = (e) => `${e?.container ?? e?.dns ?? e?.ip ?? '?'}${e?.port != null ? `:${e.port}` : ''}`;
  switch (entry.kind) {
    case 'exec':
      return `exec ${(entry.argv ?? []).join(' ') || entry.exe}`;
    case 'file':
      return `file ${entry.op} ${entry.path}`;
    case 'flow.start':
      return `flow ${entry.protocol} ${end(entry.src)} → ${end(entry.dst)}`;
    case 'flow.end':
      return `flow ended ${end(entry.src)} → ${end(entry.dst)}, ${entry.bytesOut}/${entry.bytesIn} bytes out/in`;
    case 'docker':
      return `docker ${entry.action}${entry.network ? ` ${entry.network}` : ''}${entry.argv ? ` ${entry.argv.join(' ')}` : ''}`;
    case 'alert':
      return `alert ${entry.rule}: ${entry.summary}`;
    case 'action':
      return `${entry.action} by ${entry.actor}`;
    default:
      return entry.kind;
  }
}

function renderList() {
  const tbody = document.querySelector('#incidents tbody');
  const sorted = [...incidents.values()]
    .filter((incident) => inScope(incident.host))
    .sort((a, b) => (a.start < b.start ? 1 : -1))
    .slice(0, MAX_INCIDENTS);
  tbody.replaceChildren(
    ...sorted.map((incident) => {
      const row = document.createElement('tr');
      row.dataset.id = incident.id;
      row.dataset.host = incident.host ?? '';
      row.dataset.state = incident.state;
      if (keyOf(incident) === selected) row.classList.add('selected');
      cell(row, time(incident.start));
      cell(row, incident.severity, `sev sev-${incident.severity}`);
      cell(row, incident.state);
      cell(
        row,
        incident.containers.map((c) => qualify(c.host ?? incident.host, c.name)).join(', ') ||
          qualify(incident.host, 'host'),
      );
      cell(row, incident.title);
      cell(row, incident.story?.title ?? '');
      cell(row, String(incident.alertCount));
      row.addEventListener('click', () => void select(keyOf(incident)));
      return row;
    }),
  );
  document.querySelector('#incidents-empty').hidden = sorted.length > 0;
}

function listItem(text, className) {
  const li = document.createElement('li');
  li.textContent = text;
  if (className) li.className = className;
  return li;
}

async function renderDetail() {
  const incident = incidents.get(selected);
  const detail = document.querySelector('#incident-detail');
  detail.hidden = !incident;
  if (!incident) return;
  document.querySelector('#incident-title').textContent = `${incident.severity}: ${incident.title}`;
  document.querySelector('#incident-tactics').textContent = incident.tactics.join(' → ');
  document
    .querySelector('#incident-alerts')
    .replaceChildren(
      ...incident.alerts.map((a) =>
        listItem(`${time(a.time)} ${a.severity} ${a.rule} ${a.containerName ?? ''}: ${a.summary}`, `sev-${a.severity}`),
      ),
    );
  // The container's host rides along: through the hub, Isolate is routed to that host (a peer
  // reached on another host of the fleet names its own).
  const first = incident.containers[0];
  const container = first ? { ...first, host: first.host ?? incident.host } : null;
  const slot = document.querySelector('#incident-response');
  if (container) {
    const button = responseButton(container, stateOf(container.id, container.host));
    button.id = 'incident-isolate';
    button.textContent = `${button.dataset.action} ${qualify(container.host, container.name)}`;
    slot.replaceChildren(button);
  } else slot.replaceChildren();
  const timeline = document.querySelector('#incident-timeline');
  if (!container) return void timeline.replaceChildren();
  if (inFleet())
    return void timeline.replaceChildren(listItem(`on ${incident.host}'s own page (the hub keeps no timelines)`));
  const since = new Date(Date.parse(incident.start) - 5 * 60_000).toISOString();
  const body = await getJson(`/api/containers/${encodeURIComponent(container.id)}/timeline?since=${since}`).catch(
    () => ({ entries: [] }),
  );
  if (selected !== keyOf(incident)) return;
  timeline.replaceChildren(
    ...body.entries
      .slice(-MAX_TIMELINE)
      .map((e) => listItem(`${time(e.at)} ${describe(e)}`, `kind-${e.kind.replace('.', '-')}`)),
  );
}

async function select(id) {
  selected = id;
  renderList();
  await renderDetail();
}

/** A stream "incident" message: an incident opened, grew or closed. */
export function onIncident(incident) {
  incidents.set(keyOf(incident), incident);
  renderList();
  if (keyOf(incident) === selected) void renderDetail();
}

async function load() {
  const body = await getJson(`/api/incidents?limit=${MAX_INCIDENTS}`).catch(() => ({ incidents: [] }));
  for (const incident of body.incidents ?? []) incidents.set(keyOf(incident), incident);
  renderList();
  if (selected && incidents.has(selected)) void renderDetail();
}

/** On the hub's page: alerts arrived, so their incidents grew or opened (read again, at most once a second). */
export const refreshIncidents = throttled(load, 1000);

/** The host selector changed (fleet mode). */
export const rescopeIncidents = () => renderList();

/** Loads the newest incidents; `containerState(id, host)` says whether the button isolates or releases. */
export async function startIncidents(containerState) {
  stateOf = containerState;
  await load();
}
