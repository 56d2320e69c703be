// The fleet bus at small scale, against a real 3-node JetStream cluster on loopback: N simulated
// agents (each its own NATS connection, in this one process: the machine has 2 cores) publish
// alerts with message ids (as the fleet sink does), ended flows, and merge baselines of a few
// shared workloads with compare-and-set; one consumer reads the alerts stream as the hub does.
// Reports messages/s, publish→hub latency p50/p99, and the KV conflicts that were resolved.
//
// Run: node --import tsx bench/fleet.ts [agents] [alerts-per-agent]   (default 20 × 100; bounded)
import { performance } from 'node:perf_hooks';
import { quantile } from 'simple-statistics';
import { connect } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { BaselineSync, FleetBus } from '../fleet/index.ts';
import { alertSubject, flowSubject, ALERTS_STREAM } from '../fleet/subjects.ts';
import { Health } from '../core/health.ts';
import { createLogger } from '../core/logger.ts';
import { NatsCluster } from '../test/support/nats-cluster.ts';

const agents = Math.min(Number(process.argv[2] ?? 20), 100);
const perAgent = Math.min(Number(process.argv[3] ?? 100), 1000);
const FLOWS_PER_ALERT = 5;
const WORKLOADS = 5;
const log = createLogger('silent', false);

interface Shared {
  workload: string;
  items: string[];
}
const codec = {
  parse: (raw: unknown) => raw as Shared,
  merge: (a: Shared, b: Shared): Shared => ({ workload: a.workload, items: [...new Set([...a.items, ...b.items])] }),
  workloadOf: (b: Shared) => b.workload,
};

const cluster = new NatsCluster(3);
await cluster.start();
try {
  // One bus creates the streams and buckets exactly as an agent does.
  const setup = new FleetBus({
    settings: { servers: cluster.urls, password: null, token: null, creds_secret: null, tls: null },
    name: 'bench-setup',
    health: new Health(),
    log,
  });
  while (!setup.handles) await new Promise((resolve) => setTimeout(resolve, 100));
  await setup.close();

  const hub = await connect({ servers: cluster.urls });
  const latencies: number[] = [];
  const expected = agents * perAgent;
  let received = 0;
  const consumer = await jetstream(hub).consumers.get(ALERTS_STREAM, { deliver_policy: DeliverPolicy.New });
  const messages = await consumer.consume();
  const allIn = (async () => {
    for await (const msg of messages) {
      const sent = msg.json<{ sent: number }>().sent;
      latencies.push(performance.timeOrigin + performance.now() - sent);
      if (++received >= expected) return;
    }
  })();

  const conns = await Promise.all(Array.from({ length: agents }, () => connect({ servers: cluster.urls })));
  const started = performance.now();
  let conflicts = 0;
  let deferred = 0;
  await Promise.all(
    conns.map(async (nc, a) => {
      const js = jetstream(nc);
      const kv = await new Kvm(nc).open('shipwatch_baselines');
      const sync = new BaselineSync<Shared>({
        kv: () => kv,
        host: `bench-${a}`,
        codec,
        log,
        onRemote: () => undefined,
      });
      for (let i = 0; i < perAgent; i++) {
        const id = `bench-${a}-${i}-${started}`;
        await js.publish(
          alertSubject(`bench-${a}`, 'unexpected_egress'),
          JSON.stringify({ id, sent: performance.timeOrigin + performance.now() }),
          { msgID: id },
        );
        for (let f = 0; f < FLOWS_PER_ALERT; f++)
          nc.publish(flowSubject(`bench-${a}`), JSON.stringify({ id: `${id}-${f}`, bytesOut: 1200, bytesIn: 5400 }));
        // Every tenth alert, the agent also finishes learning one of the shared workloads.
        // A merge that lost 30 races in a row is left to the agent's next sync (a second later).
        if (i % 10 === 0)
          await sync
            .mergeLearned({ workload: `bench/w${(i / 10) % WORKLOADS}`, items: [`203.0.113.${a % 250}:${i}`] })
            .catch(() => (deferred += 1));
      }
      conflicts += sync.conflicts;
      await nc.flush();
    }),
  );
  await Promise.race([allIn, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  const seconds = (performance.now() - started) / 1000;
  const merges = agents * Math.ceil(perAgent / 10);
  const total = expected * (1 + FLOWS_PER_ALERT) + merges;
  const ms = (q: number) => (latencies.length ? quantile(latencies, q).toFixed(1) : 'n/a');
  const result = {
    agents,
    alerts: expected,
    alertsAtHub: received,
    flows: expected * FLOWS_PER_ALERT,
    kvMerges: merges,
    kvConflictsResolved: conflicts,
    kvMergesDeferred: deferred,
    seconds: Number(seconds.toFixed(2)),
    messagesPerSecond: Math.round(total / seconds),
    publishToHubMs: { p50: ms(0.5), p99: ms(0.99) },
  };
  console.log(JSON.stringify(result));
  // For `npm run bench` (bench/suite/scripted.ts).
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
  await messages.close();
  await Promise.all([...conns, hub].map((nc) => nc.close()));
} finally {
  await cluster.destroy();
}
