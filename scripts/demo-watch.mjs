// The demo's window on the agent, through its HTTP API only (what any user's script would use).
//
//   node scripts/demo-watch.mjs ready URL SECONDS              wait until /healthz answers
//   node scripts/demo-watch.mjs learned URL SECONDS NAME...    wait until those containers monitor,
//                                                             with a countdown line
//   node scripts/demo-watch.mjs alerts URL SINCE_MS [RULES CONTAINER SECONDS]
//        wait up to SECONDS for an alert of each of RULES (comma-separated) on CONTAINER first
//        seen since SINCE_MS, then print every demo alert first seen (or repeated) since then;
//        exit 0 when all arrived (or none was asked for)
//
// Only talks to the agent's listen address (loopback by default). Alerts of containers that are
// not the demo's (demo-*) are left out: the private daemon may be running other tests' too.
import { setTimeout as sleep } from 'node:timers/promises';

const { fetch } = globalThis; // Node 20's own, not a dependency
const [command, base, ...rest] = process.argv.slice(2);
const color = process.stdout.isTTY ? (code, text) => `\x1b[${code}m${text}\x1b[0m` : (_code, text) => text;
const SEVERITY_COLOR = { critical: '1;31', high: '31', medium: '33', low: '36', info: '2' };

async function getJson(path) {
  const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(2000) });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

async function ready(seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    try {
      await getJson('/healthz');
      return 0;
    } catch {
      await sleep(250);
    }
  }
  console.error(`demo: the agent did not answer on ${base} within ${seconds} s`);
  return 1;
}

async function learned(seconds, names) {
  const deadline = Date.now() + seconds * 1000;
  let states = {};
  while (Date.now() < deadline) {
    const body = await getJson('/api/containers').catch(() => null);
    const list = Array.isArray(body) ? body : (body?.containers ?? []);
    states = Object.fromEntries(names.map((name) => [name, list.find((c) => c.name === name)?.state ?? 'unseen']));
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    const line = names.map((name) => `${name}: ${states[name]}`).join(', ');
    if (process.stdout.isTTY) process.stdout.write(`\r\x1b[K  ${line} (gives up in ${left} s)`);
    if (names.every((name) => states[name] === 'monitoring')) {
      process.stdout.write(process.stdout.isTTY ? `\r\x1b[K  ${line}\n` : `  ${line}\n`);
      return 0;
    }
    await sleep(1000);
  }
  process.stdout.write('\n');
  console.error(`demo: still learning after ${seconds} s: ${JSON.stringify(states)}`);
  return 1;
}

function describe(alert, since) {
  const severity = color(SEVERITY_COLOR[alert.severity] ?? '0', alert.severity.padEnd(8));
  const repeat = Date.parse(alert.firstSeen) < since ? ` (repeat, count ${alert.count})` : '';
  return `    ${severity} ${alert.rule.padEnd(22)} ${alert.summary}${repeat}`;
}

const isDemo = (alert) => !alert.container || alert.container.name.startsWith('demo-');

async function alerts(sinceMs, rules, container, seconds) {
  const since = Number(sinceMs);
  const wanted = rules ? rules.split(',') : [];
  const deadline = Date.now() + Number(seconds ?? 0) * 1000;
  const query = `/api/alerts?since=${new Date(since).toISOString()}&limit=500`;
  let missing = wanted;
  let list = [];
  for (;;) {
    list = ((await getJson(query).catch(() => null))?.alerts ?? []).filter(
      (a) => isDemo(a) && Date.parse(a.lastSeen) >= since,
    );
    const arrived = (rule) =>
      // Daemon-wide alerts (insecure_daemon_config) have no container.
      list.some(
        (a) => a.rule === rule && (a.container?.name ?? container) === container && Date.parse(a.firstSeen) >= since,
      );
    missing = wanted.filter((rule) => !arrived(rule));
    if (missing.length === 0 || Date.now() >= deadline) break;
    await sleep(250);
  }
  // Oldest first: the order they happened in.
  list.sort((a, b) => Date.parse(a.lastSeen) - Date.parse(b.lastSeen));
  if (list.length === 0) console.log('    (no alert)');
  for (const alert of list) console.log(describe(alert, since));
  for (const rule of missing)
    console.log(`    ${color('1', `(no ${rule} alert on ${container} within ${seconds} s)`)}`);
  return missing.length ? 1 : 0;
}

const handlers = {
  ready: () => ready(Number(rest[0])),
  learned: () => learned(Number(rest[0]), rest.slice(1)),
  alerts: () => alerts(rest[0], rest[1], rest[2], rest[3]),
};
if (!handlers[command]) {
  console.error('usage: demo-watch.mjs ready|learned|alerts URL ...');
  process.exit(2);
}
process.exitCode = await handlers[command]();
