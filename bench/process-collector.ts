// Process collector benchmark: a bounded fork/exec storm inside a container (N real execs of
// /bin/busybox true, named by path so busybox sh really execs), through the real proc connector,
// while NEIGHBOURS other containers run and exec ten times a second each (their execs must not be
// counted as the storm's). Reports execs seen vs started, events/s, the collector's CPU (this
// process) and the delay from the kernel's exec timestamp to the emitted event (p50/p99).
//   DOCKER_HOST=unix:///tmp/sw-env/docker.sock npx tsx bench/process-collector.ts [N] [NEIGHBOURS]
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { startActivity } from '../test/support/activity-harness.ts';
import { docker, removeContainers, runContainer, uniqueName } from '../test/support/testenv.ts';
import { waitFor } from '../test/support/wait.ts';

const N = Math.min(Number(process.argv[2] ?? 2000), 10_000);
const NEIGHBOURS = Math.min(Number(process.argv[3] ?? 10), 50);
const latencies: number[] = [];
const activity = await startActivity('auto', (ns) => latencies.push(Number(ns) / 1e6));
const name = uniqueName('bench-proc');
const neighbours = Array.from({ length: NEIGHBOURS }, (_, i) => `${name}-n${i}`);
try {
  // A neighbour execs /bin/busybox sleep (not true: forkstat's count must see the storm's only),
  // and ends by itself after 600 s at most, bounded even if the cleanup never runs.
  const busy = 'i=0; while [ $i -lt 6000 ]; do /bin/busybox sleep 0.1; i=$((i+1)); done';
  for (const neighbour of neighbours) await runContainer(neighbour, [], ['sh', '-c', busy]);
  const id = await runContainer(name);
  const script = `i=0; while [ $i -lt ${N} ]; do /bin/busybox true; i=$((i+1)); done`;
  latencies.length = 0;
  // The peer: forkstat (Debian) on the same proc connector, during the same storm.
  const forkstat = spawn('forkstat', ['-e', 'exec'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let forkstatOut = '';
  forkstat.stdout.on('data', (chunk: Buffer) => (forkstatOut += chunk.toString()));
  await sleep(500);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await docker('exec', name, 'sh', '-c', script);
  const storm = performance.now() - t0;
  const loop = await waitFor(() =>
    activity.events.find((e) => e.kind === 'process.exec' && e.container.id === id && e.process.argv[2] === script),
  );
  const pid = loop.kind === 'process.exec' ? loop.process.pid : -1;
  const count = (): number =>
    activity.events.filter((e) => e.kind === 'process.exec' && e.container.id === id && e.process.ppid === pid).length;
  await waitFor(() => count() >= N, { timeout: 10_000 }).catch(() => undefined);
  const cpu = process.cpuUsage(cpu0);
  await sleep(500);
  forkstat.kill('SIGINT');
  await new Promise((resolve) => forkstat.once('exit', resolve));
  const forkstatSeen = forkstatOut.split('\n').filter((l) => / exec .*\/bin\/busybox true/.test(l)).length;
  const complete = activity.events.filter(
    (e) => e.kind === 'process.exec' && e.container.id === id && e.process.ppid === pid && e.process.complete,
  ).length;
  latencies.sort((a, b) => a - b);
  const pct = (p: number): string => (latencies[Math.floor((latencies.length - 1) * p)] ?? NaN).toFixed(2);
  console.log(
    JSON.stringify({
      started: N,
      seen: count(),
      withArgvFromProc: complete,
      stormSeconds: +(storm / 1000).toFixed(2),
      execsPerSecond: Math.round(N / (storm / 1000)),
      collectorCpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(2),
      hostExecEventsHandled: activity.processes.counts.execs,
      overruns: activity.processes.counts.overruns,
      latencyMsP50: pct(0.5),
      latencyMsP99: pct(0.99),
      forkstatSeen,
      neighbours: NEIGHBOURS,
    }),
  );
  // For `npm run bench` (bench/suite/scripted.ts).
  console.log(
    `BENCH_RESULT ${JSON.stringify({ started: N, seen: count(), forkstatSeen, storm: storm / 1000, p50: pct(0.5), p99: pct(0.99), cpu: (cpu.user + cpu.system) / 1e6 })}`,
  );
} finally {
  await activity.stop();
  await removeContainers(name, ...neighbours);
}
