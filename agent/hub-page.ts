// The hub's page: hosts and the newest alerts across the fleet, refreshed every few seconds from
// the hub's own API. Deliberately small (no build step): the agent's live page is the rich one.
export const HUB_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>shipwatch fleet</title>
<style>body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse;margin-bottom:1.5em}
td,th{border-bottom:1px solid #ddd;padding:.25em .75em;text-align:left}.stale{color:#a00}</style></head>
<body><h1>shipwatch fleet</h1><h2>Hosts</h2><table id="hosts"></table><h2>Alerts</h2><table id="alerts"></table>
<script>
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
async function refresh() {
  const hosts = await (await fetch('/api/hosts')).json();
  document.getElementById('hosts').innerHTML = '<tr><th>host</th><th>state</th><th>version</th><th>health</th><th>containers</th><th>last seen</th></tr>' +
    hosts.map((h) => '<tr class="' + h.state + '"><td>' + esc(h.host) + '</td><td>' + h.state + '</td><td>' + esc(h.version) + '</td><td>' + esc(h.health && h.health.status) + '</td><td>' + h.containers + '</td><td>' + esc(h.lastSeen) + '</td></tr>').join('');
  const { alerts } = await (await fetch('/api/alerts?limit=50')).json();
  document.getElementById('alerts').innerHTML = '<tr><th>time</th><th>host</th><th>rule</th><th>severity</th><th>summary</th></tr>' +
    alerts.map((a) => '<tr><td>' + esc(a.time) + '</td><td>' + esc(a.host) + '</td><td>' + esc(a.rule) + '</td><td>' + esc(a.severity) + '</td><td>' + esc(a.summary) + '</td></tr>').join('');
}
refresh(); setInterval(refresh, 3000);
</script></body></html>
`;
