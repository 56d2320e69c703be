// Alert storm during live capture: tcpreplay into a private bridge at a fixed rate while the
// agent's capture path (capture child, decoder, flow table) and its alert pipeline (AlertPipeline:
// dedup, incidents, journal with its fsync, metrics, log line, live stream, a durable webhook queue
// and its delivery loop) share one event loop, as they share the agent's main thread. Each rate is
// captured in rounds with the storm and without it, alternating which goes first.
//
//   npx tsx bench/alert-storm.ts [rates=100000,200000] [rounds=2] [seconds=10] [alertsPerSecond=1000]
//
// The storm's findings are handed to AlertPipeline.raise() the way the detectors hand theirs (a
// new key each, so every one is a new alert, none a repeat); the detectors themselves are not in
// this loop. The webhook receiver runs in a child process on 127.0.0.1 so its work does not land
// on the loop under test. Needs root and tcpreplay; see bench/private-bridge.ts for the links.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { AlertPipeline } from '../alerts/alert-pipeline.ts';
import { Metrics } from '../alerts/metrics.ts';
import { validateConfig } from '../agent/config.ts';
import { createLogger } from '../core/logger.ts';
import { egressFinding } from '../test/support/findings.ts';
import { ipv4Frame, pcapFile } from '../test/support/packet-builder.ts';
import { BenchCapture } from './bench-capture.ts';
import { cpuOf, privateBridge, replay, rssOf } from './private-bridge.ts';

const rates = (process.argv[2] ?? '100000,200000').split(',').map(Number);
const ROUNDS = Math.min(Number(process.argv[3] ?? 2), 10);
const SECONDS = Math.min(Number(process.argv[4] ?? 10), 60);
const PER_SECOND = Math.min(Number(process.argv[5] ?? 1000), 5000);
// After the storm, deliveries may go on draining the queue for this long at most.
const DRAIN_MS = 10_000;

const RECEIVER = `
import http from 'node:http';
let n = 0, first = 0, last = 0;
const server = http.createServer((req, res) => {
  if (req.url === '/count') return res.end(JSON.stringify({ n, first, last }));
  req.on('data', () => undefined);
  req.on('end', () => { const t = Date.now(); if (!n) first = t; last = t; n++; res.writeHead(200).end(); });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
`;

const dir = mkdtempSync(path.join(tmpdir(), 'sw-storm-'));
const file = path.join(dir, 'replay.pcap');
const FRAMES = 20_000;
writeFileSync(
  file,
  pcapFile(
    Array.from({ length: FRAMES }, (_, i) => ({
      at: i,
      data: ipv4Frame({
        src: `198.18.${(i >> 8) & 0x3f}.${(i & 0xff) | 2}`,
        dst: '203.0.113.10',
        protocol: i % 3 ? 'tcp' : 'udp',
        srcPort: 30000 + (i % 2000),
        dstPort: 443,
        flags: 'A',
        payload: Buffer.alloc(100 + (i % 900)),
      }),
    })),
  ),
);

const receiver = spawn(process.execPath, ['--input-type=module', '-e', RECEIVER], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const port = await new Promise<number>((resolve) => receiver.stdout.once('data', (c: Buffer) => resolve(Number(c))));
const delivered = async () =>
  (await (await fetch(`http://127.0.0.1:${port}/count`)).json()) as { n: number; first: number; last: number };

const link = privateBridge();
/** One capture round, as the suite's `storm` entry reads it (bench/suite/storm-soak.ts). */
export interface StormRow {
  rate: number;
  storm: boolean;
  round: number;
  achieved: number;
  sent: number;
  received: number;
  captureMissed: number;
  lagP99Ms: number;
  agentCpuSeconds: number;
  alerts: number;
  journalledPerSecond: number;
  deliveredPerSecond: number;
  delivered: number;
  childRssPeakMiB: number;
  loadAverage: number;
}
const rows: StormRow[] = [];
try {
  const agent = new BenchCapture(link.bridge);
  const { capture } = agent;
  await agent.up;
  for (const rate of rates) {
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so a drift in the machine's load favours neither.
      for (const storm of round % 2 ? [false, true] : [true, false]) {
        rows.push(await captureRound(rate, storm, round));
        const r = rows.at(-1)!;
        process.stdout.write(
          `${String(rate).padStart(7)} packets/s × ${SECONDS}s ${storm ? 'with' : 'without'} the storm (round ${round + 1}, sent at ${r.achieved}/s): ` +
            `got ${r.received}/${r.sent} (capture missed ${r.captureMissed} in the ring or its queue, lag p99 ${Math.round(r.lagP99Ms)} ms, capture child RSS peak ${r.childRssPeakMiB.toFixed(0)} MiB), ${((r.agentCpuSeconds / SECONDS) * 100).toFixed(0)}% of a core` +
            (storm
              ? `; ${r.alerts} alerts journalled at ${r.journalledPerSecond.toFixed(0)}/s, ${r.delivered} delivered at ${r.deliveredPerSecond.toFixed(0)}/s`
              : '') +
            '\n',
        );
      }
    }
  }

  async function captureRound(rate: number, storm: boolean, round: number): Promise<StormRow> {
    const stateDir = mkdtempSync(path.join(dir, 'state-'));
    const pipeline = storm ? openPipeline(stateDir) : null;
    const before = {
      received: agent.received,
      child: cpuOf(capture.pid!),
      self: process.cpuUsage(),
      delivered: (await delivered()).n,
    };
    capture.newlyDropped();
    agent.lags = [];
    const count = rate * SECONDS;
    // The capture child's memory: when the main thread falls behind, what the child has read
    // from the ring waits in its own write queue for the pipe.
    let childRssPeak = rssOf(capture.pid!);
    const rssTimer = setInterval(() => (childRssPeak = Math.max(childRssPeak, rssOf(capture.pid!))), 100);
    const sending = replay(link.peer, file, FRAMES, rate, count);
    const stormDone = pipeline ? raiseStorm(pipeline, round) : Promise.resolve(null);
    const [achieved, raised] = await Promise.all([sending, stormDone]);
    // Deliveries go on after the storm for DRAIN_MS at most; then the pipeline is closed (what is
    // undelivered stays queued on disk, as at a shutdown).
    let deliveredNow = { n: before.delivered, first: 0, last: 0 };
    if (pipeline && raised) {
      const until = raised.startedAt + SECONDS * 1000 + DRAIN_MS;
      while (Date.now() < until) {
        deliveredNow = await delivered();
        if (deliveredNow.n - before.delivered >= raised.alerts) break;
        await sleep(200);
      }
      await pipeline.close(0);
    }
    // Wait until nothing more arrives for a second: what is still in the ring, the child or the
    // pipe is late, not lost, and must not be counted in the next round.
    let seen = -1;
    const replayed = Date.now();
    while (seen !== agent.received && Date.now() - replayed < 60_000) {
      seen = agent.received;
      await sleep(1000);
    }
    const self = process.cpuUsage(before.self);
    const agentCpuSeconds = cpuOf(capture.pid!) - before.child + (self.user + self.system) / 1e6;
    const captureMissed = capture.newlyDropped();
    clearInterval(rssTimer);
    rmSync(stateDir, { recursive: true, force: true });
    const lags = agent.lags.sort((a, b) => a - b);
    const deliveredCount = deliveredNow.n - before.delivered;
    return {
      rate,
      storm,
      round,
      achieved,
      sent: count,
      received: agent.received - before.received,
      captureMissed,
      lagP99Ms: lags.length ? lags[Math.min(lags.length - 1, Math.floor(0.99 * lags.length))]! : NaN,
      agentCpuSeconds,
      alerts: raised?.alerts ?? 0,
      journalledPerSecond: raised ? raised.alerts / raised.seconds : 0,
      delivered: deliveredCount,
      // From the storm's first raise to the last receipt (or to the end of the drain window).
      deliveredPerSecond:
        raised && deliveredCount ? deliveredCount / ((deliveredNow.last - raised.startedAt) / 1000) : 0,
      childRssPeakMiB: Math.max(childRssPeak, rssOf(capture.pid!)) / 2 ** 20,
      loadAverage: loadavg()[0]!,
    };
  }
  // For `npm run bench` (bench/suite/alert-storm.ts).
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(rows)}\n`);
  await capture.detach();
} finally {
  link.remove();
  receiver.stdin.end();
  rmSync(dir, { recursive: true, force: true });
}

function openPipeline(stateDir: string): AlertPipeline {
  const config = validateConfig(
    { state_dir: stateDir, webhooks: [{ url: `http://127.0.0.1:${port}/hook` }], log_level: 'info' },
    'bench',
  );
  // The agent logs every alert at info on stdout; here the same lines go to /dev/null.
  const log = createLogger('info', false, pino.destination({ dest: '/dev/null', sync: false }));
  return new AlertPipeline({ config, metrics: new Metrics(), log });
}

/**
 * Offers PER_SECOND new alerts a second for SECONDS. Each turn of the loop raises what is due, at
 * most one 10 ms share, then yields to I/O (the capture's pipe), as detectors raising findings
 * between packet batches would: a pipeline slower than the storm raises fewer alerts in the
 * window rather than starving the capture for as long as it takes to catch up.
 */
async function raiseStorm(
  pipeline: AlertPipeline,
  round: number,
): Promise<{ alerts: number; seconds: number; startedAt: number }> {
  const share = Math.max(1, PER_SECOND / 100);
  const startedAt = Date.now();
  const endsAt = startedAt + SECONDS * 1000;
  let raised = 0;
  for (let now = startedAt; now < endsAt; now = Date.now()) {
    const due = Math.min(raised + share, Math.ceil(((now - startedAt) / 1000) * PER_SECOND));
    for (; raised < due; raised++) {
      const finding = egressFinding(1 + (raised % 60_000));
      finding.key = `storm-${round}-${raised}`;
      pipeline.raise(finding);
    }
    await (raised >= Math.ceil(((Date.now() - startedAt) / 1000) * PER_SECOND) ? sleep(5) : setImmediate());
  }
  return { alerts: raised, seconds: (Date.now() - startedAt) / 1000, startedAt };
}
