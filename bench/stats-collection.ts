// Stats collection cost: N running containers, one round of kernel reads (cgroup files +
// /proc/<pid>/net/dev, what the agent does every stats_interval) against the same collection
// through Docker stats streams (one stream per container, what `docker stats` and many agents
// do). Both in one run, on the shared private daemon.
//
//   DOCKER_HOST=unix:///tmp/sw-env/docker.sock node --import tsx bench/stats-collection.ts [N or N,N,…] [SECONDS]
//
// Reports CPU of this process (the "agent") and of dockerd + containerd (from /proc/<pid>/stat),
// as a fraction of one core at a 5 s interval, and the ratio. dockerd is shared with other test
// runs: its share is noisy, this process's share is not.
import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { KernelStatsReader } from '../collector/stats/index.ts';
import { TESTENV_DIR, TEST_IMAGE, uniqueName } from '../test/support/testenv.ts';

// One count, or several ("10,50,100"): the largest are started once and each count measured on the first N.
const COUNTS = (process.argv[2] ?? '100').split(',').map(Number);
const N = Math.max(...COUNTS);
const SECONDS = Number(process.argv[3] ?? 10);
const INTERVAL_S = 5;
const TICKS = 100; // USER_HZ
const docker = new Docker({ socketPath: `${TESTENV_DIR}/docker.sock` });

function daemonCpuSeconds(): number {
  const dockerd = Number(readFileSync(`${TESTENV_DIR}/dockerd.pid`, 'utf8'));
  const pids = [
    dockerd,
    ...execFileSync('pgrep', ['-P', String(dockerd)], { encoding: 'utf8' })
      .split('\n')
      .map(Number),
  ];
  let ticks = 0;
  for (const pid of pids.filter((p) => p > 0)) {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS;
}

const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function main(): Promise<void> {
  const prefix = uniqueName('bench');
  const names = Array.from({ length: N }, (_, i) => `${prefix}-${i}`);
  console.log(`starting ${N} containers…`);
  try {
    for (let i = 0; i < N; i += 10) {
      await Promise.all(
        names.slice(i, i + 10).map(async (name) => {
          const c = await docker.createContainer({
            name,
            Image: TEST_IMAGE,
            Cmd: ['sleep', '3600'],
            HostConfig: { NetworkMode: 'none' },
          });
          await c.start();
        }),
      );
    }
    const all = await Promise.all(
      names.map(async (name) => {
        const i = await docker.getContainer(name).inspect();
        return { id: i.Id, pid: i.State.Pid };
      }),
    );
    const results = [];
    for (const count of COUNTS) results.push(await measure(all.slice(0, count)));
    // For `npm run bench` (bench/suite/scripted.ts): shares of one core, per count.
    console.log(`BENCH_RESULT ${JSON.stringify(results)}`);
  } finally {
    for (let i = 0; i < N; i += 20) {
      await Promise.all(
        names.slice(i, i + 20).map((n) =>
          docker
            .getContainer(n)
            .remove({ force: true })
            .catch(() => undefined),
        ),
      );
    }
  }
}

async function measure(targets: { id: string; pid: number }[]): Promise<Record<string, number>> {
  {
    // Kernel reads: as many rounds as fit in SECONDS, back to back.
    const reader = new KernelStatsReader();
    let rounds = 0;
    const k0 = { self: selfCpu(), daemon: daemonCpuSeconds(), at: performance.now() };
    while (performance.now() - k0.at < SECONDS * 1000) {
      await Promise.all(targets.map((t) => reader.read(t.id, t.pid)));
      rounds++;
    }
    const kernelSelfPerRound = (selfCpu() - k0.self) / rounds;
    const kernelDaemon = daemonCpuSeconds() - k0.daemon;

    // Docker stats streams: one per container for SECONDS.
    const streams = await Promise.all(
      targets.map(async (t) => {
        const stream = (await docker.getContainer(t.id).stats({ stream: true })) as NodeJS.ReadableStream & {
          destroy(): void;
        };
        stream.on('data', (chunk: Buffer) => void JSON.parse(chunk.toString('utf8').split('\n')[0] || '{}'));
        return stream;
      }),
    );
    const s0 = { self: selfCpu(), daemon: daemonCpuSeconds(), at: performance.now() };
    await sleep(SECONDS * 1000);
    const elapsed = (performance.now() - s0.at) / 1000;
    const streamSelf = (selfCpu() - s0.self) / elapsed;
    const streamDaemon = (daemonCpuSeconds() - s0.daemon) / elapsed;
    for (const s of streams) s.destroy();

    const kernelShare = kernelSelfPerRound / INTERVAL_S;
    const kernelDaemonShare = kernelDaemon / SECONDS;
    console.log(
      `containers: ${targets.length}; kernel rounds: ${rounds}, ${(kernelSelfPerRound * 1000).toFixed(1)} ms of CPU per round`,
    );
    console.log(
      `kernel reads at a ${INTERVAL_S}s interval: agent ${(kernelShare * 100).toFixed(3)}% of a core; dockerd+containerd meanwhile (others' load included) ${(kernelDaemonShare * 100).toFixed(2)}%`,
    );
    console.log(
      `docker stats streams: agent ${(streamSelf * 100).toFixed(2)}% + dockerd/containerd ${(streamDaemon * 100).toFixed(2)}% of a core`,
    );
    console.log(
      `ratio (streams, agent + daemon) / (kernel reads, agent): ${((streamSelf + streamDaemon) / kernelShare).toFixed(1)}x`,
    );
    return { containers: targets.length, kernelShare, kernelDaemonShare, streamSelf, streamDaemon };
  }
}

await main();
