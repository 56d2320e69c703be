// The live page: alerts as they happen (WebSocket /api/stream), containers with their learning /
// monitoring / isolated state, and active flows. Plain DOM, no build step. Every value from the
// agent is attacker-influenced (container names, command lines, DNS names): text only, never HTML.

const params = new URLSearchParams(location.search);
let token = params.get('token') ?? sessionStorage.getItem('shipwatch-token');
if (token) sessionStorage.setItem('shipwatch-token', token);
if (params.has('token')) {
  // Accepted once, then out of the address bar (and so out of history, bookmarks, screenshots, Referer).
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
}

const alertRows = new Map(); // alert id → row
const MAX_ALERTS = 200;

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  if (className) td.className = className;
  row.append(td);
  return td;
}

const list = (body, key) => (Array.isArray(body) ? body : (body?.[key] ?? []));
const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');

async function getJson(path) {
  const response = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

function renderAlert(alert, fresh) {
  const tbody = document.querySelector('#alerts tbody');
  let row = alertRows.get(alert.id);
  const isNew = !row;
  if (!row) {
    row = document.createElement('tr');
    row.dataset.id = alert.id;
    alertRows.set(alert.id, row);
  }
  row.replaceChildren();
  row.dataset.rule = alert.rule;
  cell(row, time(alert.lastSeen ?? alert.time));
  cell(row, alert.severity, `sev sev-${alert.severity}`);
  cell(row, alert.rule);
  cell(row, alert.container?.name ?? '—');
  cell(row, alert.summary);
  cell(row, String(alert.count ?? 1));
  if (fresh) {
    row.classList.remove('fresh');
    void row.offsetWidth; // restart the highlight animation
    row.classList.add('fresh');
  }
  if (isNew) tbody.prepend(row);
  while (tbody.rows.length > MAX_ALERTS) {
    const last = tbody.rows[tbody.rows.length - 1];
    alertRows.delete(last.dataset.id);
    last.remove();
  }
  document.querySelector('#alerts-empty').hidden = tbody.rows.length > 0;
  document.querySelector('#alert-count').textContent = `(${tbody.rows.length})`;
}

async function respond(container, action) {
  const path = `/api/containers/${encodeURIComponent(container.id)}/${action}`;
  const send = () =>
    fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ reason: `from the live page (${action})` }),
    });
  let response = await send();
  if (response.status === 401) {
    token = prompt('Token for response actions') ?? '';
    sessionStorage.setItem('shipwatch-token', token);
    response = await send();
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    alert(body.error?.message ?? `${action} failed: ${response.status}`);
  }
  await loadContainers();
}

async function loadContainers() {
  const containers = list(await getJson('/api/containers'), 'containers');
  const tbody = document.querySelector('#containers tbody');
  tbody.replaceChildren(
    ...containers
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((c) => {
        const row = document.createElement('tr');
        row.dataset.name = c.name;
        cell(row, c.name);
        cell(row, c.workload);
        cell(row, c.state, `state-${c.state}`);
        cell(
          row,
          (c.networks ?? []).map((n) => (n.zone && n.zone !== n.name ? `${n.name} (${n.zone})` : n.name)).join(', '),
        );
        const actions = cell(row, '');
        const button = document.createElement('button');
        const action = c.state === 'isolated' ? 'release' : 'isolate';
        button.textContent = action;
        button.addEventListener('click', () => void respond(c, action));
        actions.append(button);
        return row;
      }),
  );
}

function endpoint(end) {
  const who = end.container?.name ?? end.name ?? end.kind;
  return `${who} ${end.ip}${end.port != null ? `:${end.port}` : ''}`;
}

async function loadFlows() {
  const flows = list(await getJson('/api/flows'), 'flows');
  const tbody = document.querySelector('#flows tbody');
  tbody.replaceChildren(
    ...flows.slice(0, 200).map((f) => {
      const row = document.createElement('tr');
      cell(row, f.protocol);
      cell(row, endpoint(f.src));
      cell(row, endpoint(f.dst));
      cell(row, (f.networks ?? [f.network]).join(' → '));
      cell(row, String((f.packetsOut ?? 0) + (f.packetsIn ?? 0)));
      cell(row, String((f.bytesOut ?? 0) + (f.bytesIn ?? 0)));
      return row;
    }),
  );
  document.querySelector('#flow-count').textContent = `(${flows.length})`;
}

async function loadHealth() {
  const health = await getJson('/healthz');
  const pill = document.querySelector('#health');
  pill.textContent = health.status;
  pill.className = `pill ${health.status === 'ok' ? 'ok' : 'bad'}`;
  pill.title = Object.entries(health.sources)
    .map(([name, s]) => `${name}: ${s.state}${s.detail ? ` (${s.detail})` : ''}`)
    .join('\n');
}

// Inventory and flow updates arrive often; re-reading the lists at most twice a second is plenty.
function throttled(fn, ms) {
  let timer = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      fn().catch(() => undefined);
    }, ms);
  };
}
const refreshContainers = throttled(loadContainers, 500);
const refreshFlows = throttled(loadFlows, 500);

function connect(attempt = 0) {
  const url = new URL('/api/stream', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  if (token) url.searchParams.set('token', token);
  const socket = new WebSocket(url);
  const status = document.querySelector('#stream');
  socket.addEventListener('open', () => {
    status.textContent = 'live';
    status.className = 'pill ok';
    attempt = 0;
  });
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'alert' && message.alert) renderAlert(message.alert, true);
    else if (message.type?.startsWith('inventory') || message.type?.startsWith('container')) refreshContainers();
    else if (message.type?.startsWith('flow')) refreshFlows();
  });
  socket.addEventListener('close', () => {
    status.textContent = 'reconnecting';
    status.className = 'pill bad';
    setTimeout(() => connect(attempt + 1), Math.min(10_000, 500 * 2 ** attempt));
  });
}

async function start() {
  document.querySelector('#host').textContent = location.host;
  connect();
  const alerts = list(await getJson('/api/alerts?limit=100').catch(() => []), 'alerts');
  for (const alert of [...alerts].reverse()) renderAlert(alert, false);
  document.querySelector('#alerts-empty').hidden = alerts.length > 0;
  await Promise.allSettled([loadContainers(), loadFlows(), loadHealth()]);
  setInterval(() => void loadHealth().catch(() => undefined), 5000);
}

void start();
