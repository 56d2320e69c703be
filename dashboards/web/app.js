// The live page, put together: theme, alert triage with details, the network map, containers
// with Isolate / Release, and the live stream that feeds them all. Plain ES modules, no build
// step; each concept has its own file:
//   dom.js (text-only DOM helpers)  api.js (HTTP, token)  stream.js (WebSocket, reconnect, catch-up)
//   triage.js + alert-details.js    response.js (confirm, isolate/release, audit)
//   map.js + map-model.js + graph-d3.js (the network map)   theme.js (light / dark)
//   token-dialog.js (the tab's bearer token)
//   incidents.js (the incidents view: list, one incident's story, its container's timeline)
//   fleet.js (fleet mode, when shipwatch hub serves the page: host selector, host/name)
import { $, el, throttled } from './dom.js';
import { getJson, list } from './api.js';
import { startStream } from './stream.js';
import { addAlerts, alertById, clearSelection, newestSeen, rescope, startTriage } from './triage.js';
import { showAlertDetails } from './alert-details.js';
import { noteAlert, responseButton, setAlertOpener, setContainers } from './response.js';
import { refreshMap, startMap } from './map.js';
import { startTheme } from './theme.js';
import { startTokenDialog } from './token-dialog.js';
import { onIncident, refreshIncidents, rescopeIncidents, startIncidents } from './incidents.js';
import { detectFleet, inFleet, inScope, qualify, startFleet } from './fleet.js';

let containers = [];
/** A container's state; on the hub's page, `host` picks the host's copy (ids are per daemon). */
const stateOf = (id, host) =>
  containers.find((c) => c.id === id && (!inFleet() || host === undefined || c.host === host))?.state ?? null;

async function loadContainers() {
  containers = list(await getJson('/api/containers'), 'containers');
  setContainers(containers, () => void loadContainers().catch(() => undefined));
  renderContainers();
}

function renderContainers() {
  $('#containers tbody').replaceChildren(
    ...containers
      .filter((c) => inScope(c.host))
      .sort((a, b) => (a.host ?? '').localeCompare(b.host ?? '') || a.name.localeCompare(b.name))
      .map((c) =>
        el(
          'tr',
          { data: { name: c.name, id: c.id, state: c.state, host: c.host ?? '' } },
          el('td', { text: qualify(c.host, c.name) }),
          el('td', { text: c.workload }),
          el('td', { className: `state state-${c.state}`, text: c.state }),
          el('td', {
            text: (c.networks ?? [])
              .map((n) => (n.zone && n.zone !== n.name ? `${n.name} (${n.zone})` : n.name))
              .join(', '),
          }),
          el('td', {}, responseButton(c, c.state)),
        ),
      ),
  );
  // The open alert's buttons follow its container's state.
  const open = $('#alert-details');
  if (!open.hidden && open.dataset.id) showAlertDetails(alertById(open.dataset.id), stateOf);
  refreshMap();
}

async function loadHealth() {
  const health = await getJson('/healthz');
  const pill = $('#health');
  pill.textContent = health.status;
  pill.className = `pill ${health.status === 'ok' ? 'ok' : 'bad'}`;
  pill.title = Object.entries(health.sources)
    .map(([name, s]) => `${name}: ${s.state}${s.detail ? ` (${s.detail})` : ''}`)
    .join('\n');
}

const refreshContainers = throttled(loadContainers, 500);

function onMessage(message) {
  if (message.type === 'alert' && message.alert) {
    addAlerts([message.alert], true);
    noteAlert(message.alert);
    refreshMap();
    if (inFleet()) refreshIncidents();
    if (message.alert.rule === 'container_isolated' || message.alert.rule === 'container_released') refreshContainers();
  } else if (message.type === 'incident' && message.incident) onIncident(message.incident);
  else if (message.type === 'inventory') refreshContainers();
  else if (message.type === 'flow') refreshMap();
}

async function start() {
  startTheme();
  $('#host').textContent = location.host;
  startTriage((alert) => showAlertDetails(alert, stateOf));
  $('#alert-details').addEventListener('close-details', clearSelection);
  setAlertOpener((id) => {
    const row = document.querySelector(`#alerts tr[data-id="${CSS.escape(id)}"]`);
    row?.click();
    row?.scrollIntoView({ block: 'nearest' });
  });
  const stream = startStream(
    {
      message: onMessage,
      alerts: (missed) => {
        addAlerts(missed, true);
        for (const a of missed) noteAlert(a);
        if (inFleet()) refreshIncidents();
      },
      resync: () => {
        refreshContainers();
        refreshMap();
        if (inFleet()) refreshIncidents();
      },
    },
    newestSeen,
  );
  startTokenDialog(() => stream.reconnect());
  document.addEventListener('token-changed', () => stream.reconnect());
  const hosts = await detectFleet();
  if (hosts)
    startFleet(hosts, () => {
      renderContainers();
      rescope();
      rescopeIncidents();
    });
  const initial = list(await getJson('/api/alerts?limit=500').catch(() => []), 'alerts');
  addAlerts(initial, false);
  // The map is each agent's own (fleet.js says so on the hub's page); the hub serves incidents too.
  const perHost = hosts ? [] : [startMap()];
  await Promise.allSettled([loadContainers(), loadHealth(), startIncidents(stateOf), ...perHost]);
  setInterval(() => void loadHealth().catch(() => undefined), 5000);
}

void start();
