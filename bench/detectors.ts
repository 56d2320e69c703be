// Throughput of the detector runner on a benign mixed stream after learning (the common case:
// every event is judged, almost none alerts). Run: node_modules/.bin/tsx bench/detectors.ts [N]
import { performance } from 'node:perf_hooks';
import type { ShipwatchEvent } from '../collector/events.ts';
import {
  IP,
  api,
  containerEnd,
  db,
  exec,
  externalEnd,
  fileChanged,
  flowStart,
  stats,
  web,
} from '../test/fixtures/events.ts';
import { LEARN_MS, harness } from '../test/fixtures/harness.ts';

const n = Number(process.argv[2] ?? 200_000);
const h = harness({ allowlist: ['198.19.0.0/16', '*.corp.example:443/tcp', '2001:db8::/32'] });

function event(i: number, at: number): ShipwatchEvent {
  switch (i % 6) {
    case 0:
      return flowStart(
        at,
        containerEnd(web, IP.web, 30000 + (i % 20000)),
        containerEnd(api, IP.apiFront, 8080),
        'shop_frontend',
      );
    case 1:
      return flowStart(
        at,
        containerEnd(api, IP.apiBack, 30000 + (i % 20000)),
        containerEnd(db, IP.db, 5432),
        'shop_backend',
      );
    case 2:
      return flowStart(
        at,
        containerEnd(api, IP.apiBack, 30000 + (i % 20000)),
        externalEnd(IP.partner, 443, 'partner.shipwatch.test'),
        'shop_backend',
      );
    case 3:
      return exec(at, api, '/usr/local/bin/client', ['/usr/local/bin/client', 'db'], { parentExe: '/bin/busybox' });
    case 4:
      return fileChanged(at, web, `/var/log/nginx/access-${i % 7}.log`);
    default:
      return stats(at, db, {
        cpuSeconds: i * 0.0001,
        memoryWorkingSetBytes: 50e6,
        rxBytes: i * 10,
        txBytes: i * 10,
        rxPackets: i,
        txPackets: i,
        pids: 4,
      });
  }
}

for (let i = 0; i < 600; i++) h.feed(event(i, h.at((i * LEARN_MS) / 600)));
h.at(LEARN_MS + 1);
const events = Array.from({ length: n }, (_, i) => event(i, h.now + i));
const start = performance.now();
let alerts = 0;
for (const e of events) alerts += h.runner.handle(e).length;
const ms = performance.now() - start;
console.log(
  `${n} events in ${ms.toFixed(0)} ms: ${((n / ms) * 1000).toFixed(0)} events/s, ${((ms * 1000) / n).toFixed(2)} µs/event, ${alerts} findings`,
);
