// Fleet mode: the same page served by `shipwatch hub`. The hub answers GET /api/hosts (an agent
// does not), and then a host selector in the header scopes alerts and containers to one host,
// names are host-qualified ("host/name"), and Isolate / Release carry the container's host so the
// hub routes them over the fleet bus to that host's agent. The network map is built by each agent
// from its own flows: in fleet mode its panel is hidden and a note says so. Incidents are served
// by the hub too (rebuilt from each host's alerts), so their panel stays.
import { $, el } from './dom.js';
import { getJson, list } from './api.js';

const HOSTS_REFRESH_MS = 5000;
let fleet = false;
let scope = '';

export const inFleet = () => fleet;
export const inScope = (host) => !fleet || !scope || host === scope;
/** "host/name" in fleet mode, the name alone on an agent's own page. */
export const qualify = (host, name) => (fleet && host ? `${host}/${name}` : name);
/** What tells containers apart on this page: the id, qualified by host in fleet mode. */
export const containerKey = (host, id) => (fleet ? `${host ?? ''}/${id}` : id);

/** Asks whether this page is served by the hub; resolves to the hosts when it is, else null. */
export async function detectFleet() {
  const hosts = await getJson('/api/hosts').catch(() => null);
  fleet = Array.isArray(hosts);
  return fleet ? hosts : null;
}

function renderHosts(hosts) {
  const select = $('#host-select');
  const wanted = [
    { value: '', text: `all hosts (${hosts.length})` },
    ...hosts.map((h) => ({ value: h.host, text: h.state === 'live' ? h.host : `${h.host} (${h.state})` })),
  ];
  const have = [...select.options].map((o) => `${o.value}\t${o.textContent}`).join('\n');
  if (have === wanted.map((w) => `${w.value}\t${w.text}`).join('\n')) return;
  select.replaceChildren(...wanted.map((w) => el('option', { text: w.text, attrs: { value: w.value } })));
  // A host that went away keeps its place while it is selected, so the view does not jump.
  if (scope && !hosts.some((h) => h.host === scope))
    select.append(el('option', { text: `${scope} (gone)`, attrs: { value: scope } }));
  select.value = scope;
}

/** Shows the fleet controls; `onScope()` runs when the user picks another host. */
export function startFleet(hosts, onScope) {
  document.body.dataset.mode = 'fleet';
  $('#host-scope').hidden = false;
  $('#fleet-note').hidden = false;
  $('#map-view').hidden = true;
  renderHosts(hosts);
  $('#host-select').addEventListener('change', (event) => {
    scope = event.target.value;
    onScope();
  });
  setInterval(() => {
    void getJson('/api/hosts')
      .then((fresh) => renderHosts(list(fresh, 'hosts')))
      .catch(() => undefined);
  }, HOSTS_REFRESH_MS);
}
