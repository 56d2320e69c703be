// One alert's details, opened from the triage list: what happened (the alert's `details`: flow,
// process, file, resource, config findings or action), MITRE tactic and technique, count, first and
// last seen, and the response buttons for its container. Values render as text only.
import { $, el, dateTime } from './dom.js';
import { responseButton } from './response.js';

/** A JSON value as nested definition lists: readable, and never markup. */
function value(v) {
  if (v === null || v === undefined) return el('span', { className: 'muted', text: '—' });
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x !== 'object' || x === null)) return el('span', { text: v.join(', ') });
    return el('ol', {}, ...v.map((x) => el('li', {}, value(x))));
  }
  if (typeof v === 'object') {
    const dl = el('dl', { className: 'kv' });
    for (const [k, x] of Object.entries(v)) dl.append(el('dt', { text: k }), el('dd', {}, value(x)));
    return dl;
  }
  return el('span', { text: String(v) });
}

function facts(pairs) {
  const dl = el('dl', { className: 'facts' });
  for (const [k, v] of pairs) dl.append(el('dt', { text: k }), el('dd', { text: v ?? '—' }));
  return dl;
}

export function showAlertDetails(alert, containerState) {
  const panel = $('#alert-details');
  if (!alert) {
    panel.hidden = true;
    return;
  }
  panel.hidden = false;
  panel.dataset.id = alert.id;
  // The alert's host goes with its container: on the hub's page the action is routed there.
  const c = alert.container ? { ...alert.container, host: alert.host } : null;
  const actions = el('div', { className: 'actions' });
  if (c?.id) {
    const state = containerState(c.id, alert.host);
    if (state) actions.append(responseButton(c, state));
  }
  panel.replaceChildren(
    el(
      'header',
      {},
      el('h3', { className: 'details-summary', text: alert.summary }),
      el('button', { className: 'close', text: 'close', attrs: { type: 'button', id: 'details-close' } }),
    ),
    facts([
      ['severity', alert.severity],
      ['rule', alert.rule],
      ['MITRE tactic', alert.mitre?.tactic ?? null],
      ['MITRE technique', alert.mitre?.technique ?? null],
      ['count', String(alert.count ?? 1)],
      ['first seen', dateTime(alert.firstSeen ?? alert.time)],
      ['last seen', dateTime(alert.lastSeen ?? alert.time)],
      ['container', c ? `${c.name} (${c.id.slice(0, 12)})` : null],
      ['workload', c?.workload ?? null],
      ['image', c?.image ?? null],
      ['host', alert.host],
      ['incident', alert.incident ?? null],
      ['tags', (alert.tags ?? []).join(', ') || null],
    ]),
    actions,
    el('h4', { text: 'details' }),
    el('div', { className: 'details-body' }, value(alert.details)),
  );
  $('#details-close').addEventListener('click', () => panel.dispatchEvent(new CustomEvent('close-details')));
}
