// Alert triage: every alert the page knows (initial load, the stream, the catch-up after a
// reconnect) held once by id, newest first, filtered by rule, severity, workload and host, with
// the count by severity in the header. A click opens the alert's details (alert-details.js).
import { $, el, time } from './dom.js';
import { inScope, qualify } from './fleet.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
const MAX_ALERTS = 1000;
const FILTERS = ['rule', 'severity', 'workload', 'host'];

const alerts = new Map(); // id → alert
const fresh = new Set();
let selected = null;
let onSelect = () => undefined;
let scheduled = false;

const workloadOf = (a) => a.container?.workload ?? '';
const valueOf = { rule: (a) => a.rule, severity: (a) => a.severity, workload: workloadOf, host: (a) => a.host ?? '' };
const newest = (a, b) => (b.lastSeen ?? b.time).localeCompare(a.lastSeen ?? a.time) || b.id.localeCompare(a.id);

/** The newest lastSeen of any alert held: where a catch-up after a reconnect starts. */
export function newestSeen() {
  let best = null;
  for (const a of alerts.values()) if (!best || (a.lastSeen ?? a.time) > best) best = a.lastSeen ?? a.time;
  return best;
}

export function alertById(id) {
  return alerts.get(id) ?? null;
}

/** Adds or updates alerts (a repeat keeps its id and raises its count); `live` highlights them. */
export function addAlerts(list, live) {
  for (const alert of list) {
    if (!alert?.id) continue;
    const known = alerts.get(alert.id);
    // The stream and the catch-up may deliver the same alert; keep the most recent version.
    if (known && (known.lastSeen ?? '') > (alert.lastSeen ?? '')) continue;
    alerts.set(alert.id, alert);
    if (live) fresh.add(alert.id);
  }
  if (alerts.size > MAX_ALERTS) {
    for (const a of [...alerts.values()].sort(newest).slice(MAX_ALERTS)) alerts.delete(a.id);
  }
  schedule();
}

function schedule() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    render();
  });
}

function filterValues() {
  return Object.fromEntries(FILTERS.map((f) => [f, $(`#filter-${f}`).value]));
}

function refreshOptions(all) {
  for (const f of FILTERS) {
    const select = $(`#filter-${f}`);
    const values = [...new Set(all.map(valueOf[f]).filter(Boolean))];
    if (f === 'severity') values.sort((a, b) => SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b));
    else values.sort();
    const current = select.value;
    const wanted = ['', ...values];
    const have = [...select.options].map((o) => o.value);
    if (wanted.join('\n') === have.join('\n')) continue;
    select.replaceChildren(...wanted.map((v) => el('option', { text: v || `all`, attrs: { value: v } })));
    select.value = wanted.includes(current) ? current : '';
  }
}

function renderCounts(all) {
  const counts = $('#severity-counts');
  counts.replaceChildren(
    ...SEVERITIES.map((s) => {
      const n = all.filter((a) => a.severity === s).length;
      return el('span', { className: `sev-count sev sev-${s}`, text: `${s} ${n}`, data: { severity: s, count: n } });
    }),
  );
}

function row(alert) {
  const tr = el('tr', { data: { id: alert.id, rule: alert.rule, severity: alert.severity } });
  tr.tabIndex = 0;
  tr.append(
    el('td', { text: time(alert.lastSeen ?? alert.time), title: alert.lastSeen ?? alert.time }),
    el('td', { className: `sev sev-${alert.severity}`, text: alert.severity }),
    el('td', { text: alert.rule }),
    el('td', {
      text: alert.container?.name ? qualify(alert.host, alert.container.name) : '—',
      title: workloadOf(alert),
    }),
    el('td', { className: 'summary', text: alert.summary }),
    el('td', { text: String(alert.count ?? 1) }),
  );
  if (alert.id === selected) tr.classList.add('selected');
  if (fresh.has(alert.id)) tr.classList.add('fresh');
  const open = () => select(alert.id);
  tr.addEventListener('click', open);
  tr.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      open();
    }
  });
  return tr;
}

/** The fleet page's host selector changed: show that host's alerts only (counts included). */
export function rescope() {
  schedule();
}

function render() {
  const all = [...alerts.values()].filter((a) => inScope(a.host));
  refreshOptions(all);
  renderCounts(all);
  const f = filterValues();
  const shown = all.filter((a) => FILTERS.every((k) => !f[k] || valueOf[k](a) === f[k])).sort(newest);
  $('#alerts tbody').replaceChildren(...shown.map(row));
  fresh.clear();
  $('#alert-count').textContent =
    shown.length === all.length ? `(${all.length})` : `(${shown.length} of ${all.length})`;
  $('#alerts-empty').hidden = shown.length > 0;
  $('#alerts-empty').textContent = all.length ? 'No alert matches these filters.' : 'No alerts yet.';
  if (selected) onSelect(alerts.get(selected) ?? null);
}

function select(id) {
  selected = id;
  schedule();
}

export function startTriage(showDetails) {
  onSelect = showDetails;
  for (const f of FILTERS) $(`#filter-${f}`).addEventListener('change', schedule);
  $('#filters-clear').addEventListener('click', () => {
    for (const f of FILTERS) $(`#filter-${f}`).value = '';
    schedule();
  });
}

export function clearSelection() {
  selected = null;
  schedule();
}
