// The forensic record under a flood: ended flows, execs and file changes of many containers into
// the timelines and the flow history, and alerts into the incidents, with small bounds from the
// config, measuring the rate, the disk each part takes against its bound, and the heap after.
//
// Run: node --expose-gc --import tsx bench/forensics.ts [events]   (default 200000; bounded on purpose)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import type { EventOf, ShipwatchEvent } from '../collector/events.ts';
import { validateConfig } from '../agent/config.ts';
import { Forensics } from '../agent/forensics.ts';
import { AlertFactory } from '../alerts/alert.ts';
import { IncidentTracker } from '../alerts/incident-tracker.ts';
import { createLogger } from '../core/logger.ts';
import { egressFinding } from '../test/support/findings.ts';
import { containerEnd, exec, externalEnd, fileChanged, flowStart } from '../test/fixtures/events.ts';

const events = Math.min(Number(process.argv[2] ?? 200_000), 1_000_000);
const stateDir = mkdtempSync(path.join(tmpdir(), 'sw-bench-forensics-'));
const config = validateConfig(
  {
    state_dir: stateDir,
    timeline: { max_bytes: 64 * 1024, max_containers: 50 },
    flow_history: { max_bytes: 1 << 20 },
    incidents: { max_bytes: 256 * 1024 },
  },
  'bench',
);
const containers = Array.from({ length: 200 }, (_, i) => ({
  id: i.toString(16).padStart(64, 'e'),
  name: `flood-${i}`,
  image: 'flood:1',
  workload: `flood/${i % 10}`,
}));
const forensics = new Forensics(config, createLogger('silent', false), () => true);

function event(i: number, at: number): ShipwatchEvent {
  const c = containers[i % containers.length]!;
  switch (i % 3) {
    case 0: {
      const start = flowStart(
        at,
        containerEnd(c, '198.18.0.2', 30000 + (i % 30000)),
        externalEnd('203.0.113.10', 443),
        'n',
      ) as EventOf<'flow.start'>;
      return { kind: 'flow.end', at, host: start.host, flow: { ...start.flow, state: 'closed' } };
    }
    case 1:
      return exec(at, c, '/bin/sh', ['sh', '-c', `echo ${i}`]);
    default:
      return fileChanged(at, c, `/tmp/file-${i % 1000}`);
  }
}

const heapBefore = process.memoryUsage().heapUsed;
let t = Date.parse('2026-11-23T04:00:00Z');
const started = performance.now();
for (let i = 0; i < events; i++) forensics.onEvent(event(i, (t += 1)));
forensics.timelines.sweep(t, () => false); // everyone removed: max_containers applies
const eventSeconds = (performance.now() - started) / 1000;

const factory = new AlertFactory({ host: 'h', dedupWindow: 0, now: () => (t += 10) });
const tracker = new IncidentTracker({
  stateDir,
  host: 'h',
  settings: config.incidents,
  now: () => t,
  onChange: () => undefined,
  onError: (error) => {
    throw error;
  },
});
const alerts = Math.min(50_000, events / 4);
const alertStart = performance.now();
for (let i = 0; i < alerts; i++) {
  const alert = factory.raise(egressFinding(1 + (i % 60_000), t, containers[i % 20]))!.alert;
  tracker.onAlert(alert, false);
  tracker.announce();
  if (i % 100 === 0) tracker.tick(t);
}
tracker.close();
const alertSeconds = (performance.now() - alertStart) / 1000;
globalThis.gc?.();
const du = (sub: string) =>
  Number(execFileSync('du', ['-sb', path.join(stateDir, sub)], { encoding: 'utf8' }).split('\t')[0]);
const result = {
  events,
  eventsPerSecond: Math.round(events / eventSeconds),
  alerts,
  alertsPerSecond: Math.round(alerts / alertSeconds),
  timelineBytes: du('timeline'),
  timelineBound: 50 * 2 * 64 * 1024,
  flowHistoryBytes: forensics.flowHistory.diskBytes(),
  flowHistoryBound: 5 * (1 << 20),
  incidentBytes: tracker.store.diskBytes(),
  incidentBound: 5 * 256 * 1024,
  heapGrowthBytes: process.memoryUsage().heapUsed - heapBefore,
  rssBytes: process.memoryUsage().rss,
};
console.log(JSON.stringify(result, null, 2));
// For `npm run bench` (bench/suite/scripted.ts).
console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
rmSync(stateDir, { recursive: true, force: true });
