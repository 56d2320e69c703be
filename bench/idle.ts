// Idle cost and start-up to healthy: 20 quiet containers (`sleep`) on the private daemon, then
// the real agent started against it. Measures the time from spawning `shipwatch run` to /healthz
// answering status "ok", then the agent's CPU (its process and its capture children, from their
// threads' schedstat) over a quiet window, beside what dockerd + containerd spend in the same window
// running those same containers: the yardstick of what an idle Docker host already pays.
//
//   DOCKER_HOST=unix:///tmp/sw-env/docker.sock npx tsx bench/idle.ts [containers=20] [seconds=30]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startAgent } from '../test/support/agent-process.ts';
import { removeContainers, runContainer, TESTENV_DIR, uniqueName } from '../test/support/testenv.ts';
import { waitFor } from '../test/support/wait.ts';
import { childrenOf, cpuOf as processCpu } from './private-bridge.ts';

const COUNT = Math.min(Number(process.argv[2] ?? 20), 200);
const SECONDS = Math.min(Number(process.argv[3] ?? 30), 300);
const SETTLE_MS = 20_000;

/** CPU seconds of a process and all its descendants (the capture children), every thread. */
function treeCpu(pid: number): number {
  return cpuOf([pid]) + childrenOf(pid).reduce((sum, child) => sum + treeCpu(child), 0);
}

/**
 * CPU seconds of these processes, from their threads' schedstat (private-bridge.ts): /proc stat's
 * 10 ms ticks sample which task runs at each tick, and an agent waking for a millisecond now and
 * then is caught by a tick or not, so a 30 s window of it moved by tenths of a percent.
 */
function cpuOf(pids: number[]): number {
  let seconds = 0;
  for (const pid of pids) {
    try {
      seconds += processCpu(pid);
    } catch {
      // gone meanwhile
    }
  }
  return seconds;
}

const names = Array.from({ length: COUNT }, (_, i) => uniqueName(`bench-idle${i}`));
try {
  for (let i = 0; i < COUNT; i += 10) await Promise.all(names.slice(i, i + 10).map((n) => runContainer(n)));
  const spawned = performance.now();
  const agent = await startAgent([], {});
  try {
    await waitFor(
      async () => ((await (await fetch(`${agent.baseUrl}/healthz`)).json()) as { status: string }).status === 'ok',
      { timeout: 60_000, interval: 20, what: 'the agent to be healthy' },
    );
    const healthySeconds = (performance.now() - spawned) / 1000;
    // Settle: start-up is not idle. Its inventory sync and first stats round are over in a few
    // seconds, but V8 goes on compiling what turned hot and collecting what start-up left: sampled
    // from the agent's threads' schedstat, 133 ms of CPU 5–10 s after the spawn (55 ms of it V8's
    // worker threads), against about 4 ms a second from 15 s on. A window starting at 5 s counted
    // that tail as idle.
    await sleep(SETTLE_MS);
    const agentPid = agent.child.pid!;
    const dockerd = Number(readFileSync(`${TESTENV_DIR}/dockerd.pid`, 'utf8'));
    const daemonPids = [dockerd, ...childrenOf(dockerd)];
    const before = {
      agent: treeCpu(agentPid),
      main: cpuOf([agentPid]),
      daemon: cpuOf(daemonPids),
      at: performance.now(),
    };
    await sleep(SECONDS * 1000);
    const elapsed = (performance.now() - before.at) / 1000;
    const agentShare = (treeCpu(agentPid) - before.agent) / elapsed;
    const daemonShare = (cpuOf(daemonPids) - before.daemon) / elapsed;
    // The main process alone, and how many capture children (one per bridge) share the rest.
    const mainShare = (cpuOf([agentPid]) - before.main) / elapsed;
    const captureChildren = childrenOf(agentPid).length;
    const result = {
      containers: COUNT,
      seconds: elapsed,
      healthySeconds,
      agentShare,
      mainShare,
      captureChildren,
      daemonShare,
    };
    console.log(JSON.stringify(result));
    console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
  } finally {
    await agent.stop();
  }
} finally {
  await removeContainers(...names);
}
