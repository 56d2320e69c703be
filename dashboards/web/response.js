// Isolate and Release from the page, safely: a confirmation that names the container and says
// what will happen, the bearer token asked for when the agent wants one (kept in sessionStorage),
// the outcome and the audit alert shown where the click was, and never two requests at once for
// one container (its buttons are disabled while one is in flight).
import { $, el, time } from './dom.js';
import { postJson, token } from './api.js';
import { containerKey, inFleet, qualify } from './fleet.js';

const inFlight = new Set(); // container keys (fleet.js: the id, or host/id on the hub's page)
const awaitingAudit = new Map(); // container key → audit rule expected
const audits = new Map(); // container key → the audit alert of its last action from this page
let containersById = new Map();
const keyOf = (c) => containerKey(c.host, c.id);
let afterAction = () => undefined;
let openAlert = () => undefined;

const EFFECT = {
  isolate: (c) =>
    `It will be disconnected from ${networkNames(c)} and connected to an internal quarantine network: ` +
    'no route out and no peers. Its processes keep running. Release restores its networks and aliases.',
  release: () =>
    'It will leave the quarantine network and be reconnected to the networks it had before isolation, ' +
    'with their aliases. It can reach (and be reached by) its peers again.',
};
const AUDIT_RULE = { isolate: 'container_isolated', release: 'container_released' };

function networkNames(c) {
  const names = (c?.networks ?? []).map((n) => n.name);
  return names.length ? `every network it is on (${names.join(', ')})` : 'every network it is on';
}

export function setContainers(list, onChange) {
  containersById = new Map(list.map((c) => [keyOf(c), c]));
  afterAction = onChange;
}

export function setAlertOpener(fn) {
  openAlert = fn;
}

/** The Isolate or Release button for a container in the given state. */
export function responseButton(container, state) {
  const action = state === 'isolated' ? 'release' : 'isolate';
  const button = el('button', {
    className: `action action-${action}`,
    text: inFlight.has(keyOf(container)) ? `${action === 'isolate' ? 'isolating' : 'releasing'}…` : action,
    attrs: { type: 'button' },
    data: { containerId: keyOf(container), action },
  });
  button.disabled = inFlight.has(keyOf(container));
  button.addEventListener('click', () => void act(container, action));
  return button;
}

/** Opens the confirmation; resolves to { reason, token } or null when cancelled. */
function ask(container, action, { needToken = false, error = '' } = {}) {
  const dialog = $('#confirm');
  const known = containersById.get(keyOf(container)) ?? container;
  $('#confirm-title').textContent =
    `${action === 'isolate' ? 'Isolate' : 'Release'} ${qualify(known.host, known.name)}?`;
  $('#confirm-what').textContent =
    `Container ${known.name} (${known.id.slice(0, 12)}), workload ${known.workload ?? '—'}.`;
  $('#confirm-effect').textContent = EFFECT[action](known);
  $('#confirm-token-row').hidden = !needToken;
  $('#confirm-token').value = '';
  $('#confirm-token').required = needToken;
  $('#confirm-error').textContent = error;
  $('#confirm-error').hidden = !error;
  $('#confirm-ok').textContent = action === 'isolate' ? 'Isolate' : 'Release';
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () =>
        resolve(
          dialog.returnValue === 'confirm'
            ? { reason: $('#confirm-reason').value.trim(), token: $('#confirm-token').value.trim() }
            : null,
        ),
      { once: true },
    );
  });
}

function setBusy(id, busy) {
  for (const b of document.querySelectorAll('button[data-container-id]')) {
    if (b.dataset.containerId !== id) continue;
    b.disabled = busy;
    if (busy) b.textContent = `${b.dataset.action === 'isolate' ? 'isolating' : 'releasing'}…`;
  }
}

function outcome(kind, text, containerId = '') {
  const box = $('#outcome');
  box.dataset.container = containerId;
  box.hidden = false;
  box.className = `outcome outcome-${kind}`;
  box.dataset.kind = kind;
  box.replaceChildren(el('strong', { text: kind === 'ok' ? 'done: ' : 'failed: ' }), el('span', { text }));
}

async function act(container, action) {
  const key = keyOf(container);
  if (inFlight.has(key)) return;
  let answer = await ask(container, action);
  if (!answer) return;
  inFlight.add(key);
  setBusy(key, true);
  // The audit alert can come over the stream before the response does.
  audits.delete(key);
  awaitingAudit.set(key, AUDIT_RULE[action]);
  try {
    const path = `/api/containers/${encodeURIComponent(container.id)}/${action}`;
    for (;;) {
      const reason = answer.reason || `from the live page (${action})`;
      // Through the hub, the action names the container's host; the hub routes it there.
      const response = await postJson(path, inFleet() ? { reason, host: container.host } : { reason });
      if (response.status === 401) {
        const refused = Boolean(token.get());
        answer = await ask(container, action, {
          needToken: true,
          error: refused ? 'The agent refused the token; enter a valid one.' : 'The agent needs a token for this.',
        });
        if (!answer) {
          awaitingAudit.delete(key);
          outcome('error', `${action} of ${container.name} cancelled: no token`);
          return;
        }
        token.set(answer.token);
        document.dispatchEvent(new CustomEvent('token-changed'));
        continue;
      }
      if (response.status >= 200 && response.status < 300) {
        const warnings = response.body.warnings?.length ? ` (warnings: ${response.body.warnings.join('; ')})` : '';
        const verb = action === 'isolate' ? 'isolated' : 'released';
        const same = action === 'isolate' && response.body.changed === false ? ' (it already was)' : '';
        outcome('ok', `${container.name} ${verb}${same}${warnings}.`, key);
        renderAudit(key);
      } else {
        awaitingAudit.delete(key);
        outcome(
          'error',
          `${action} of ${container.name}: ${response.body.error?.message ?? `HTTP ${response.status}`}`,
        );
      }
      return;
    }
  } catch (error) {
    awaitingAudit.delete(key);
    outcome('error', `${action} of ${container.name}: ${error.message}`);
  } finally {
    inFlight.delete(key);
    setBusy(key, false);
    afterAction();
  }
}

/** Every alert passes here: the audit alert of an action taken from this page is shown with it. */
export function noteAlert(alert) {
  const id = alert.container?.id ? containerKey(alert.host, alert.container.id) : null;
  if (!id || awaitingAudit.get(id) !== alert.rule) return;
  awaitingAudit.delete(id);
  audits.set(id, alert);
  renderAudit(id);
}

function renderAudit(id) {
  const box = $('#outcome');
  const alert = audits.get(id);
  if (!alert || box.dataset.container !== id || box.dataset.kind !== 'ok' || box.querySelector('.audit')) return;
  const link = el('button', { className: 'link', text: 'open', attrs: { type: 'button' } });
  link.addEventListener('click', () => openAlert(alert.id));
  box.append(
    el(
      'div',
      { className: 'audit', data: { alertId: alert.id, rule: alert.rule } },
      el('span', { text: `audit alert ${alert.rule} at ${time(alert.time)}: ${alert.summary} ` }),
      link,
    ),
  );
}
