// End to end on a busy host: an exec, a first packet and a file write in a monitored container →
// the alert delivered to a local webhook. Three busy containers keep execing, writing and
// looping meanwhile. Per alert it measures:
//   trigger → delivered   from just before `docker exec` is issued to the webhook's receipt; an
//                         upper bound, since it includes the `docker exec` itself (its peer:
//                         `docker exec CONTAINER true`, timed in the same rounds);
//   raised → delivered    alert.time to the webhook's receipt (same clock);
// and, from the agent's own histogram, event timestamp (kernel or pcap) → journalled.
//
//   DOCKER_HOST=unix:///tmp/sw-env/docker.sock npx tsx bench/e2e-latency.ts [rounds=20]
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { quantileSorted } from 'simple-statistics';
import { startAgent } from '../test/support/agent-process.ts';
import {
  docker,
  INTERNET_HOST,
  INTERNET_HOST_2,
  removeContainers,
  runContainer,
  uniqueName,
} from '../test/support/testenv.ts';
import { waitFor } from '../test/support/wait.ts';

const ROUNDS = Math.min(Number(process.argv[2] ?? 20), 50);
const KINDS = {
  exec: ['drift_executable', 'unexpected_process'],
  packet: ['unexpected_egress'],
  file: ['unexpected_file_change', 'sensitive_file_change'],
};
type Kind = keyof typeof KINDS;

interface Delivered {
  rule: string;
  container: string;
  time: number;
  summary: string;
  receivedAt: number;
}
const delivered: Delivered[] = [];
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const receivedAt = Date.now();
    const alert = JSON.parse(body) as {
      rule: string;
      time: string;
      summary: string;
      container: { name: string } | null;
    };
    delivered.push({
      rule: alert.rule,
      container: alert.container?.name ?? '',
      time: Date.parse(alert.time),
      summary: alert.summary,
      receivedAt,
    });
    res.writeHead(200).end();
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

const busy = [0, 1, 2].map((i) => uniqueName(`bench-busy${i}`));
const target = uniqueName('bench-e2e');
// Bounded in count and time: 600 iterations of 0.2 s at most.
const busyLoop =
  'i=0; while [ $i -lt 600 ]; do echo $i > /tmp/busy; cat /tmp/busy > /dev/null; ls / > /dev/null; i=$((i+1)); sleep 0.2; done';
const agent = await startAgent(['--webhook', url, '--learn', '4s', '--log-level', 'info']);
const samples: Record<Kind, { trigger: number[]; raised: number[] }> = {
  exec: { trigger: [], raised: [] },
  packet: { trigger: [], raised: [] },
  file: { trigger: [], raised: [] },
};
const floor: number[] = [];
try {
  await Promise.all([...busy.map((name) => runContainer(name, [], ['sh', '-c', busyLoop])), runContainer(target)]);
  await waitFor(
    async () => {
      const containers = (await (await fetch(`${agent.baseUrl}/api/containers`)).json()) as {
        name: string;
        state: string;
      }[];
      return containers.find((c) => c.name === target)?.state === 'monitoring';
    },
    { timeout: 30_000, what: 'the target to be monitoring' },
  );
  const destinations = [INTERNET_HOST, INTERNET_HOST_2].flatMap((ip) =>
    [80, 443, 4444, 8080, 9000].map((port) => `${ip} ${port}`),
  );
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    await docker('exec', target, 'true');
    floor.push(performance.now() - t0);
    const triggers: [Kind, string][] = [
      // busybox picks its applet by the program's name: a new directory each round, the name `true`.
      ['exec', `mkdir -p /tmp/e2e${round} && cp /bin/busybox /tmp/e2e${round}/true && /tmp/e2e${round}/true`],
      ['file', `echo ${round} > /etc/e2e${round}.conf`],
    ];
    const destination = destinations[round % destinations.length]!;
    if (round < destinations.length) triggers.push(['packet', `nc -w 1 ${destination} < /dev/null > /dev/null`]);
    for (const [kind, command] of triggers) {
      const before = delivered.length;
      const issuedAt = Date.now();
      await docker('exec', target, 'sh', '-c', command);
      const alert = await waitFor(
        () => delivered.slice(before).find((d) => d.container === target && KINDS[kind].includes(d.rule)),
        { timeout: 10_000, what: `${kind} alert ${round}` },
      ).catch(() => null);
      if (!alert) continue;
      samples[kind].trigger.push(alert.receivedAt - issuedAt);
      samples[kind].raised.push(alert.receivedAt - alert.time);
    }
  }
  const metrics = await (await fetch(`${agent.baseUrl}/metrics`)).text();
  const pct = (values: number[], q: number) =>
    values.length
      ? quantileSorted(
          [...values].sort((a, b) => a - b),
          q,
        )
      : NaN;
  const result = {
    rounds: ROUNDS,
    dockerExecP50: pct(floor, 0.5),
    dockerExecP99: pct(floor, 0.99),
    kinds: Object.fromEntries(
      Object.entries(samples).map(([kind, s]) => [
        kind,
        {
          n: s.trigger.length,
          // A new destination each round, and the test host has ten.
          expected: kind === 'packet' ? Math.min(ROUNDS, destinations.length) : ROUNDS,
          triggerP50: pct(s.trigger, 0.5),
          triggerP99: pct(s.trigger, 0.99),
          raisedP50: pct(s.raised, 0.5),
          raisedP99: pct(s.raised, 0.99),
          journalledP99Bound: histogramBound(metrics, KINDS[kind as Kind], 0.99),
        },
      ]),
    ),
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
} finally {
  await agent.stop();
  await removeContainers(target, ...busy);
  server.close();
}

/** The upper bound (seconds) of the histogram bucket holding quantile q of these rules' detection latency. */
function histogramBound(text: string, rules: string[], q: number): number | null {
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    const m =
      /^shipwatch_detection_latency_seconds_bucket\{le="([^"]+)",rule="([^"]+)"\} (\S+)$/.exec(line) ??
      /^shipwatch_detection_latency_seconds_bucket\{rule="([^"]+)",le="([^"]+)"\} (\S+)$/.exec(line);
    if (!m) continue;
    const [le, rule] = line.includes('{le=') ? [m[1]!, m[2]!] : [m[2]!, m[1]!];
    if (!rules.includes(rule)) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(m[3]));
  }
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (!total) return null;
  return sorted.find(([, count]) => count >= q * total)?.[0] ?? null;
}
