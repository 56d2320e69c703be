// Fault: churn, on the real agent. 100 cycles, four at a time, each: a network created, a
// container connected to it, started (it writes a new directory tree and knocks on the gateway of
// both its networks: packets on two captured bridges), stopped, disconnected, and the network
// removed — which deletes a bridge the agent captures. Before and after, from /proc, /metrics and
// the inspector: open fds, inotify watches (those on our containers' trees counted apart), capture
// children, Node handles by type, heap after a full GC and RSS. What a cycle takes is given back.
// On a daemon of its own (second-dockerd.ts), so the figures are the cycles' alone: the shared
// daemon may be running another test's hundred containers meanwhile.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { INSPECTABLE_ENV, heapAfterGc, type HeapFigures } from '../support/inspector-gc.ts';
import {
  captureChildren,
  inotifyInodes,
  processResources,
  type ProcessResources,
} from '../support/process-resources.ts';
import { SecondDockerd } from '../support/second-dockerd.ts';
import { TEST_IMAGE, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

const CYCLES = 100;
const WORKERS = 4;
const WARM_UP = 2 * WORKERS;
/**
 * Growth allowed over the 100 cycles. The heap is measured after a full GC, so what it gains is
 * what the agent keeps: by design a bounded record of what it saw (timelines, the flow log,
 * alerts); measured +0.5 to +1.7 MiB. RSS also holds what V8 and malloc keep for reuse after a
 * hundred capture children came and went; measured +2 to +9 MiB, hence the wider bound.
 */
const HEAP_GROWTH_MIB = 8;
const RSS_GROWTH_MIB = 30;
/** fds that may be open at any one moment without being a leak (a stats read, a Docker API call). */
const FD_SLACK = 6;

/**
 * The container: a fresh directory tree (new inotify watches on each start), a connection attempt
 * to the gateway of each of its networks (refused at once), and a clean exit on SIGTERM.
 */
const WORKLOAD = [
  "trap 'exit 0' TERM",
  'd=/srv/churn/$(date +%s%N)/a/b && mkdir -p $d && echo x > $d/f',
  "for ip in $(ip route | awk '/src/ {print $NF}'); do nc -w 1 ${ip%.*}.1 9 </dev/null; done",
  'sleep 600 & wait',
].join('; ');

interface Measure extends ProcessResources {
  ourWatches: number;
  handles: Record<string, number>;
  heap: HeapFigures;
}

/** Inode numbers of every directory under dir (what an inotify watch on our trees would name). */
function directoryInodes(dir: string, into = new Set<number>()): Set<number> {
  into.add(statSync(dir).ino);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) directoryInodes(path.join(dir, entry.name), into);
  }
  return into;
}

describe('resources over 100 network-connect/start/stop cycles', () => {
  const daemon = new SecondDockerd({
    bridge: 'sw-leak-br0',
    bridgeAddress: '198.19.96.1/24',
    pool: 'base=198.19.64.0/19,size=24',
  });
  const docker = (...args: string[]) => daemon.docker(...args);
  const base = uniqueName('leak-base');
  const workers = Array.from({ length: WORKERS }, (_, k) => uniqueName(`leak${k}`));
  const bridges = new Set<string>();
  const upperDirs: string[] = [];
  let agent: AgentProcess;
  let pid: number;

  async function cycle(worker: string): Promise<void> {
    const network = uniqueName('leak-net');
    const bridge = `br-${(await docker('network', 'create', network)).slice(0, 12)}`;
    bridges.add(bridge);
    await docker('network', 'connect', network, worker);
    await docker('start', worker);
    await docker('stop', '-t', '5', worker);
    await docker('network', 'disconnect', network, worker);
    // A captured bridge is deleted: what the cycle is about. (A network removed before the agent
    // handled its create would never be captured at all.)
    await waitFor(() => agent.logs.some((l) => l.msg === 'capture attached' && l.interface === bridge), {
      timeout: 30_000,
      what: `the capture of ${bridge}`,
    });
    await docker('network', 'rm', network);
  }

  /** `count` cycles in all, each worker running its share one after the other. */
  async function cycles(count: number): Promise<void> {
    await Promise.all(
      workers.map(async (worker, k) => {
        for (let i = k; i < count; i += WORKERS) await cycle(worker);
      }),
    );
  }

  async function handles(): Promise<Record<string, number>> {
    const text = await (await fetch(`${agent.baseUrl}/metrics`)).text();
    const byType: Record<string, number> = {};
    for (const [, type, value] of text.matchAll(/^nodejs_active_handles\{type="([^"]+)"\} (\d+)$/gm))
      byType[type ?? ''] = Number(value);
    return byType;
  }

  /** Captures of our bridges, or of any interface that no longer exists: there must be none at rest. */
  const strayCaptures = () =>
    captureChildren(pid).filter((c) => bridges.has(c.iface) || !existsSync(`/sys/class/net/${c.iface}`));

  const ourWatches = () => {
    const ours = new Set<number>();
    for (const dir of upperDirs) directoryInodes(dir, ours);
    return inotifyInodes(pid).filter((ino) => ours.has(ino)).length;
  };

  async function measure(): Promise<Measure> {
    await waitFor(() => strayCaptures().length === 0 && ourWatches() === 0, {
      timeout: 30_000,
      interval: 250,
      what: 'the captures of removed bridges to end and the watches of stopped containers to go',
    }).catch(() => undefined); // measured and asserted below, with the figures printed
    // Two seconds for the last exits, detach logs and timers; then the figures.
    await sleep(2000);
    const heap = await heapAfterGc(agent);
    return { ...processResources(pid), ourWatches: ourWatches(), handles: await handles(), heap };
  }

  beforeAll(async () => {
    await daemon.start();
    await daemon.loadTestImage();
    await docker('network', 'create', base);
    for (const worker of workers) {
      await docker('create', '--pull=never', '--name', worker, '--network', base, TEST_IMAGE, 'sh', '-c', WORKLOAD);
      upperDirs.push(await docker('inspect', '-f', '{{.GraphDriver.Data.UpperDir}}', worker));
    }
    agent = await startAgent(['--learn', '0', '--docker-host', daemon.host], INSPECTABLE_ENV);
    pid = agent.child.pid!;
  });

  afterAll(async () => {
    await agent?.stop();
    await daemon.destroy(); // with every container and network on it
  });

  it('gives back fds, inotify watches, capture children and handles, and keeps memory growth bounded', async () => {
    // The watch count of our trees is seen at all: a running worker's tree is watched.
    await docker('start', workers[0]!);
    const running = await waitFor(() => ourWatches(), { timeout: 15_000, what: 'watches on a running worker' });
    await docker('stop', '-t', '5', workers[0]!);
    await cycles(WARM_UP);
    const before = await measure();
    const started = Date.now();
    await cycles(CYCLES);
    const seconds = (Date.now() - started) / 1000;
    const after = await measure();
    const attached = agent.logs.filter((l) => l.msg === 'capture attached' && bridges.has(String(l.interface))).length;
    const strays = strayCaptures();
    console.log(
      `leaks: ${CYCLES} cycles in ${seconds.toFixed(1)} s, ${attached} bridges captured and deleted, ` +
        `${strays.length} stray captures, ${running} watches on one running worker's tree\n  before ${JSON.stringify(before)}\n  after  ${JSON.stringify(after)}`,
    );
    expect(agent.child.exitCode).toBeNull();
    expect(attached).toBe(WARM_UP + CYCLES);
    expect(strays).toEqual([]);
    expect(after.ourWatches).toBe(0);
    expect(after.inotifyWatches).toBeLessThanOrEqual(before.inotifyWatches);
    const children = after.captureChildren - before.captureChildren;
    // Each capture child holds three of the agent's fds (its stdio); other bridges may come and go.
    expect(after.fds).toBeLessThanOrEqual(before.fds + 3 * Math.max(children, 0) + FD_SLACK);
    expect(after.handles.ChildProcess ?? 0).toBe(after.captureChildren);
    expect(after.heap.usedMiB - before.heap.usedMiB).toBeLessThan(HEAP_GROWTH_MIB);
    expect(after.rssMiB - before.rssMiB).toBeLessThan(RSS_GROWTH_MIB);
  }, 240_000);
});
