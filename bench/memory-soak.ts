// Memory of the real agent with many containers and flows, then a soak with container churn.
//
//   DOCKER_HOST=unix:///tmp/sw-env/docker.sock npx tsx bench/memory-soak.ts [containers=100] [flows=100000] [soakMinutes=2]
//
// N `sleep` containers on a network of their own on the private daemon; the real agent
// (bin/shipwatch.js run, `--learn 15s`) started against it. The flows are real packets: a veth
// port of ours on the network's bridge, and tcpreplay sending one TCP SYN per flow from test-host
// addresses (203.0.113.0/24, many source ports) to port 80 of the containers — inbound connection
// attempts, as a busy front end gets them, captured by the agent's own capture child on that
// bridge. Every frame is addressed to a MAC that lives on our own port (the first frames teach the
// bridge so), so the bridge forwards none of them to a container, and the host drops them.
//
// Reported: RSS of the agent's main process and of its capture children on the bridges this
// bench uses (docker0 and the bench network; children capturing other networks of the shared
// daemon are left out and counted), beside dockerd + containerd (its children) running the same
// containers. Then the soak: every CHURN_MS one container removed and a new one started in its
// place, the flows replayed again every minute (so they stay active), RSS sampled every 10 s;
// growth = the least-squares slope of RSS over the soak, per minute, beside the daemon's.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { linearRegression } from 'simple-statistics';
import { startAgent } from '../test/support/agent-process.ts';
import {
  docker,
  removeContainers,
  removeNetworks,
  runContainer,
  TESTENV_DIR,
  uniqueName,
} from '../test/support/testenv.ts';
import { waitFor } from '../test/support/wait.ts';
import { ipv4Frame, pcapFile } from '../test/support/packet-builder.ts';
import { childrenOf, portOn, pssOf, replay, rssOf } from './private-bridge.ts';

const COUNT = Math.min(Number(process.argv[2] ?? 100), 200);
const FLOWS = Math.min(Number(process.argv[3] ?? 100_000), 200_000);
const SOAK_MINUTES = Math.min(Number(process.argv[4] ?? 2), 30);
const CHURN_MS = 3000;
const SAMPLE_MS = 10_000;
const REPLAY_RATE = 25_000;
const LATE_FROM_MS = 5 * 60_000;
const MiB = 2 ** 20;
// The first frames carry our own port's MAC as their source, so the bridge learns it there and
// forwards none of the flow frames (all addressed to it) to a container: they are captured on the
// bridge (promiscuous) and dropped.
const PRIMING = 10;

const argvOf = (pid: number): string[] => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
};
/** A /proc reader that says 0 for a process gone meanwhile. */
const orZero =
  (read: (pid: number) => number) =>
  (pid: number): number => {
    try {
      return read(pid);
    } catch {
      return 0;
    }
  };
const rssSafe = orZero(rssOf);
const pssSafe = orZero(pssOf);

const network = uniqueName('bench-mem');
let names = Array.from({ length: COUNT }, (_, i) => uniqueName(`bench-mem${i}`));
const removed: string[] = [];
const dir = mkdtempSync(path.join(tmpdir(), 'sw-soak-'));
let link: ReturnType<typeof portOn> | null = null;
try {
  await docker('network', 'create', network);
  const bridge = `br-${(await docker('network', 'inspect', '-f', '{{.Id}}', network)).trim().slice(0, 12)}`;
  for (let i = 0; i < COUNT; i += 10)
    await Promise.all(names.slice(i, i + 10).map((n) => runContainer(n, ['--network', network])));
  const ips = (await docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, ...names))
    .split('\n')
    .filter(Boolean);
  const file = path.join(dir, 'flows.pcap');
  writeFileSync(file, pcapFile(flowFrames(ips)));

  const agent = await startAgent(['--learn', '15s', '--log-level', 'info'], {});
  try {
    await waitFor(
      async () => {
        const list = (await (await fetch(`${agent.baseUrl}/api/containers`)).json()) as { name: string }[];
        return names.every((n) => list.some((c) => c.name === n));
      },
      { timeout: 60_000, interval: 200, what: 'the agent to know every container' },
    );
    const agentPid = agent.child.pid!;
    // Our capture children: the agent's children capturing docker0 or the bench network.
    await waitFor(() => captureChildren(agentPid).ours.length >= 2, {
      timeout: 30_000,
      what: `capture on docker0 and ${bridge}`,
    });
    link = portOn(bridge);
    const sent = FLOWS + PRIMING;
    await replay(link.peer, file, sent, REPLAY_RATE, sent);
    const active = await waitFor(
      async () => {
        const n = flowsActive(await (await fetch(`${agent.baseUrl}/metrics`)).text());
        // The flow table's bound (capture.max_flows, 100 000 by default) is shared with the other
        // networks of the daemon: a few of ours may be evicted for theirs.
        return n >= FLOWS * 0.99 ? n : null;
      },
      { timeout: 120_000, interval: 500, what: `${FLOWS} active flows` },
    ).catch(async () => flowsActive(await (await fetch(`${agent.baseUrl}/metrics`)).text()));
    // Settle: the stats round and the flow table's periodic updates after the burst.
    await sleep(5000);
    const dockerd = Number(readFileSync(`${TESTENV_DIR}/dockerd.pid`, 'utf8'));
    const daemonRss = () => [dockerd, ...childrenOf(dockerd)].reduce((sum, pid) => sum + rssSafe(pid), 0);
    const sample = () => {
      const children = captureChildren(agentPid);
      const main = rssSafe(agentPid);
      const capture = children.ours.reduce((sum, pid) => sum + rssSafe(pid), 0);
      return {
        at: performance.now(),
        main,
        capture,
        total: main + capture,
        daemon: daemonRss(),
        others: children.others.length,
      };
    };
    const loaded = { ...sample(), flows: await currentFlows() };
    // The same processes by PSS (shared pages split among their sharers), beside the RSS sums.
    const pss = {
      agent: [agentPid, ...captureChildren(agentPid).ours].reduce((sum, pid) => sum + pssSafe(pid), 0),
      daemon: [dockerd, ...childrenOf(dockerd)].reduce((sum, pid) => sum + pssSafe(pid), 0),
    };
    // Where the main process's memory is, from its own /metrics (prom-client's process metrics).
    const heap = nodeMemory(await (await fetch(`${agent.baseUrl}/metrics`)).text());
    process.stdout.write(
      `${COUNT} containers, ${loaded.flows} active flows: agent ${(loaded.main / MiB).toFixed(0)} MiB + capture children ${(loaded.capture / MiB).toFixed(0)} MiB; dockerd + containerd ${(loaded.daemon / MiB).toFixed(0)} MiB\n`,
    );

    // The soak: churn and periodic replays, RSS sampled every 10 s.
    const samples = [loaded];
    const started = performance.now();
    const ends = started + SOAK_MINUTES * 60_000;
    let churned = 0;
    let lastReplay = started;
    let lastSample = started;
    while (performance.now() < ends) {
      const old = names[churned % names.length]!;
      const fresh = uniqueName(`bench-mem-c${churned}`);
      await removeContainers(old);
      removed.push(old);
      await runContainer(fresh, ['--network', network]);
      names = names.map((n) => (n === old ? fresh : n));
      churned++;
      if (performance.now() - lastReplay >= 60_000) {
        lastReplay = performance.now();
        // The same flows again, so they stay active (TCP idle timeout 5 min); a churned
        // container's address now answers to whoever got it.
        await replay(link.peer, file, sent, REPLAY_RATE, sent);
      }
      if (performance.now() - lastSample >= SAMPLE_MS) {
        lastSample = performance.now();
        samples.push({ ...sample(), flows: await currentFlows() });
      }
      await sleep(Math.max(0, CHURN_MS - ((performance.now() - started) % CHURN_MS)));
    }
    samples.push({ ...sample(), flows: await currentFlows() });
    const heapAtEnd = nodeMemory(await (await fetch(`${agent.baseUrl}/metrics`)).text());
    const slope = (key: 'total' | 'daemon' | 'main', from = 0) => {
      const points = samples
        .filter((s) => s.at - started >= from)
        .map((s) => [(s.at - started) / 60_000, s[key] / MiB]);
      return points.length >= 3 ? linearRegression(points).m : null;
    };
    const result = {
      containers: COUNT,
      flowsSent: FLOWS,
      flowsActive: active,
      mainMiB: loaded.main / MiB,
      captureMiB: loaded.capture / MiB,
      captureChildren: captureChildren(agentPid).ours.length,
      otherCaptureChildren: loaded.others,
      totalMiB: loaded.total / MiB,
      daemonMiB: loaded.daemon / MiB,
      pssMiB: pss.agent / MiB,
      daemonPssMiB: pss.daemon / MiB,
      heapUsedMiB: heap.heapUsed / MiB,
      externalMiB: heap.external / MiB,
      endHeapUsedMiB: heapAtEnd.heapUsed / MiB,
      heapTotalMiB: heap.heapTotal / MiB,
      endHeapTotalMiB: heapAtEnd.heapTotal / MiB,
      endExternalMiB: heapAtEnd.external / MiB,
      soakMinutes: SOAK_MINUTES,
      churned,
      samples: samples.length,
      // The whole curve, [minutes since the soak began, total MiB, main process MiB]: a slope alone
      // hides whether RSS rose in steps, swung with the GC or climbed steadily.
      curve: samples.map((s) => [
        Number(((s.at - started) / 60_000).toFixed(2)),
        Math.round(s.total / MiB),
        Math.round(s.main / MiB),
      ]),
      endTotalMiB: samples.at(-1)!.total / MiB,
      endMainMiB: samples.at(-1)!.main / MiB,
      endFlows: samples.at(-1)!.flows,
      growthMiBPerMinute: slope('total')!,
      mainGrowthMiBPerMinute: slope('main')!,
      daemonGrowthMiBPerMinute: slope('daemon')!,
      // A removed container's alerts stay in the dedup map and its incident for 5 minutes (the
      // dedup window and the incident gap, both 5 m by default): the slope from then on shows
      // whether what is held stops growing once those are full (null for a soak under 7 minutes).
      lateGrowthMiBPerMinute: SOAK_MINUTES >= 7 ? slope('total', LATE_FROM_MS) : null,
      lateMainGrowthMiBPerMinute: SOAK_MINUTES >= 7 ? slope('main', LATE_FROM_MS) : null,
      loadAverage: loadavg()[0],
    };
    console.log(JSON.stringify(result));
    console.log(`BENCH_RESULT ${JSON.stringify(result)}`);

    async function currentFlows(): Promise<number> {
      return flowsActive(await (await fetch(`${agent.baseUrl}/metrics`)).text());
    }
  } finally {
    await agent.stop();
  }
} finally {
  link?.remove();
  await removeContainers(...names, ...removed);
  await removeNetworks(network);
  // dockerd 20.10 sometimes keeps an endpoint count for a network whose containers are all gone
  // ("has active endpoints"): such a network stays until the daemon restarts. Say so.
  if (
    await docker('network', 'inspect', network).then(
      () => true,
      () => false,
    )
  )
    process.stderr.write(`memory-soak: network ${network} could not be removed (dockerd: active endpoints)\n`);
  rmSync(dir, { recursive: true, force: true });
}

function captureChildren(agentPid: number): { ours: number[]; others: number[] } {
  const ours: number[] = [];
  const others: number[] = [];
  for (const pid of childrenOf(agentPid)) {
    const argv = argvOf(pid);
    if (!argv.some((a) => a.endsWith('shipwatch-capture.js'))) continue;
    const iface = argv[argv.findIndex((a) => a.endsWith('shipwatch-capture.js')) + 1] ?? '';
    (iface === 'docker0' || iface === (link?.bridge ?? bridgeName()) ? ours : others).push(pid);
  }
  return { ours, others };
}

function bridgeName(): string {
  return `br-${execFileSync('docker', ['network', 'inspect', '-f', '{{.Id}}', network], { encoding: 'utf8' }).trim().slice(0, 12)}`;
}

function nodeMemory(metrics: string): { heapUsed: number; heapTotal: number; external: number } {
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
  return {
    heapUsed: value('nodejs_heap_size_used_bytes'),
    heapTotal: value('nodejs_heap_size_total_bytes'),
    external: value('nodejs_external_memory_bytes'),
  };
}

function flowsActive(metrics: string): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    const m = /^shipwatch_flows_active(?:\{[^}]*\})? (\S+)$/.exec(line);
    if (m) total += Number(m[1]);
  }
  return total;
}

/** PRIMING frames, then one TCP SYN per flow from 203.0.113.x:port to port 80 of the containers. */
function flowFrames(ips: string[]): { at: number; data: Buffer }[] {
  const frames: { at: number; data: Buffer }[] = [];
  for (let i = 0; i < PRIMING; i++) {
    const data = ipv4Frame({ src: '203.0.113.250', dst: ips[0]!, protocol: 'udp', srcPort: 9, dstPort: 9 });
    // Source MAC := destination MAC (02:00:00:00:00:02, packet-builder's): learnt on our port.
    data.copy(data, 6, 0, 6);
    frames.push({ at: i, data });
  }
  for (let i = 0; i < FLOWS; i++) {
    frames.push({
      at: PRIMING + i,
      data: ipv4Frame({
        src: `203.0.113.${1 + (i % 200)}`,
        dst: ips[i % ips.length]!,
        protocol: 'tcp',
        srcPort: 1024 + Math.floor(i / 200),
        dstPort: 80,
        flags: 'S',
      }),
    });
  }
  return frames;
}
