// Fault: floods, on the real agent. A packet flood far beyond what the agent can handle — every
// frame a new flow, from tcpreplay at top speed into a veth port of ours on a Docker network's
// bridge — and a file-write storm inside a container. Meanwhile /healthz is asked every 100 ms and
// the agent's and its capture children's RSS sampled. Memory stays bounded, /healthz answers within
// 100 ms, what the capture missed is counted (received + dropped = sent), and detection goes on.
// On a daemon of its own (second-dockerd.ts): the figures are the floods' alone.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../support/agent-process.ts';
import { INSPECTABLE_ENV, heapAfterGc } from '../support/inspector-gc.ts';
import { probeHealth, sampleRss } from '../support/load-probes.ts';
import { ipv4Frame, pcapFile } from '../support/packet-builder.ts';
import { cpuSeconds, rssMiB } from '../support/process-resources.ts';
import { SecondDockerd } from '../support/second-dockerd.ts';
import { TEST_IMAGE, uniqueName } from '../support/testenv.ts';
import { waitFor } from '../support/wait.ts';

const FLOOD_SECONDS = 10;
const STORM_FILES = 50_000;
/**
 * Memory bounds. What the agent holds is bounded by capture.max_flows (100 000 by default): after
 * a full GC, 160–220 MiB at the bound (bench/README.md: ~200 MiB of heap per 100 000 flows). V8
 * collects its old generation lazily, so RSS under the flood's churn peaked at 500–760 MiB; the
 * capture child, whose queue to the agent is bounded (bin/shipwatch-capture.js), at 90–110 MiB.
 */
const HEAP_AFTER_GC_MIB = 300;
const AGENT_RSS_MIB = 1024;
const CAPTURE_RSS_MIB = 192;
const HEALTHZ_P99_MS = 100;
/**
 * The issue's bound is asserted on the p99 (about 50–180 samples: the slowest one or two), and
 * no answer may be slower than this (a stall). The agent's long tasks under the packet flood were
 * the per-line writes of timelines and flow history and the 1 s flow tick (sweep plus metrics'
 * drain of 100 000 flows in one turn, 40–55 ms); both now yield between turns. Measured since:
 * p99 52 ms, max 68 in a full CI run; alone p99 33–46, max 44–79 (earlier CI: p99 181, max 311).
 */
const HEALTHZ_MAX_MS = 1000;
const ip = (...args: string[]) => execFileSync('ip', args);

/** The sum of a metric's samples whose labels include `labels` (0 when there are none). */
function metric(text: string, name: string, labels = ''): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (labels && !line.includes(labels)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** tcpreplay to its end (bounded by --duration, killed past twice that); resolves with packets sent. */
function replay(peer: string, file: string): Promise<number> {
  const args = ['-K', '-i', peer, '--topspeed', '--duration', String(FLOOD_SECONDS), '-l', '1000', file];
  return new Promise((resolve, reject) => {
    const child = spawn('tcpreplay', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 2 * FLOOD_SECONDS * 1000 + 10_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const sent = /Actual: (\d+) packets/.exec(out)?.[1];
      if (code === 0 && sent) resolve(Number(sent));
      else reject(new Error(`tcpreplay exited with ${code}: ${out}`));
    });
  });
}

describe('floods', () => {
  const daemon = new SecondDockerd({
    bridge: 'sw-flood-br0',
    bridgeAddress: '198.19.97.1/24',
    pool: 'base=198.19.32.0/19,size=24',
  });
  const docker = (...args: string[]) => daemon.docker(...args);
  const network = uniqueName('flood-net');
  const target = uniqueName('flood-target');
  const tag = Math.random().toString(16).slice(2, 8);
  const [port, peer] = [`swfv-${tag}`, `swfp-${tag}`];
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-flood-'));
  const file = path.join(dir, 'flood.pcap');
  let bridge = '';
  let agent: AgentProcess;
  let pid: number;
  const metrics = async () => (await fetch(`${agent.baseUrl}/metrics`)).text();
  /** Until the agent is done with what came before (under a fifth of a core over a second). */
  const idle = () =>
    waitFor(
      async () => {
        const before = cpuSeconds(pid);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        return cpuSeconds(pid) - before < 0.2;
      },
      { timeout: 60_000, interval: 0, what: 'the agent to be idle' },
    );

  beforeAll(async () => {
    await daemon.start();
    await daemon.loadTestImage();
    bridge = `br-${(await docker('network', 'create', network)).slice(0, 12)}`;
    await docker('run', '-d', '--pull=never', '--name', target, '--network', network, TEST_IMAGE, 'sleep', '600');
    const targetIp = await docker(
      'inspect',
      '-f',
      `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`,
      target,
    );
    // A port of ours on the network's bridge. Every frame carries its destination MAC as its source
    // too, so the bridge learns that MAC on our own port and forwards none of the flood to a
    // container (nor anywhere else): it is captured on the bridge, and the host drops it.
    ip('link', 'add', port, 'type', 'veth', 'peer', 'name', peer);
    ip('link', 'set', port, 'master', bridge);
    for (const link of [port, peer]) writeFileSync(`/proc/sys/net/ipv6/conf/${link}/disable_ipv6`, '1');
    for (const link of [port, peer]) ip('link', 'set', link, 'up');
    // Every frame a new flow (200 test-internet sources × 1 000 ports): what costs the agent most.
    const frames = Array.from({ length: 200_000 }, (_, i) => {
      const data = ipv4Frame({
        src: `203.0.113.${1 + (i % 200)}`,
        dst: targetIp,
        protocol: 'udp',
        srcPort: 20_000 + Math.floor(i / 200),
        dstPort: 9999,
        payload: Buffer.alloc(32),
      });
      data.copy(data, 6, 0, 6);
      return { at: i, data };
    });
    writeFileSync(file, pcapFile(frames));
    // At the default log level: the test harness's debug level logs every file change and process
    // (a JSON line each, a third of the storm's cost), which a deployed agent does not.
    agent = await startAgent(['--learn', '1h', '--docker-host', daemon.host, '--log-level', 'info'], INSPECTABLE_ENV);
    pid = agent.child.pid!;
    await waitFor(() => agent.logs.some((l) => l.msg === 'capture attached' && l.interface === bridge), {
      timeout: 30_000,
      what: `the capture of ${bridge}`,
    });
  });

  afterAll(async () => {
    await agent?.stop();
    try {
      ip('link', 'del', port);
    } catch {
      // never made
    }
    await daemon.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps memory bounded and /healthz fast under a file-write storm, counts it, and detects right after', async () => {
    await idle();
    const before = await metrics();
    const rssBefore = rssMiB(pid);
    const health = await probeHealth(agent.baseUrl);
    const rss = sampleRss(pid);
    const started = Date.now();
    await docker(
      'exec',
      target,
      'timeout',
      '60',
      'sh',
      '-c',
      `mkdir /tmp/storm && i=0; while [ $i -lt ${STORM_FILES} ]; do echo x > /tmp/storm/f$i; i=$((i+1)); done`,
    );
    const wrote = (Date.now() - started) / 1000;
    const counts = async () => {
      const text = await metrics();
      const of = (name: string) => metric(text, name, 'source="files"') - metric(before, name, 'source="files"');
      return { events: of('shipwatch_events_total'), lost: of('shipwatch_events_lost_total') };
    };
    // Until the file source has caught up: every file reported, or counted as lost.
    const files = await waitFor(
      async () => {
        const now = await counts();
        return now.events + now.lost >= STORM_FILES && now;
      },
      { timeout: 30_000, interval: 500, what: 'the storm reported or counted as lost' },
    ).catch(counts);
    const latency = await health.stop();
    const peaks = await rss.stop();
    // Detection goes on: a write below /etc right after is an alert within seconds.
    const marker = `/etc/after-storm-${tag}`;
    await docker('exec', target, 'sh', '-c', `echo x > ${marker}`);
    const alert = await waitFor(
      () =>
        agent.logs.find(
          (l) => l.msg === 'alert' && l.rule === 'sensitive_file_change' && String(l.summary).includes(marker),
        ),
      { timeout: 15_000, what: 'the sensitive_file_change alert after the storm' },
    );
    const heap = await heapAfterGc(agent);
    console.log(
      `file storm: ${STORM_FILES} files written in ${wrote.toFixed(1)} s, file events ${files.events}, lost ${files.lost}; ` +
        `/healthz ms ${JSON.stringify(latency)}; RSS MiB agent ${rssBefore} → peak ${peaks.agentMiB}; ` +
        `heap after GC ${heap.usedMiB} MiB; alert after: ${String(alert.summary)}`,
    );
    expect(agent.child.exitCode).toBeNull();
    expect(files.events + files.lost).toBeGreaterThanOrEqual(STORM_FILES);
    expect(latency.failed).toBe(0);
    expect(latency.p99).toBeLessThan(HEALTHZ_P99_MS);
    expect(latency.max).toBeLessThan(HEALTHZ_MAX_MS);
    expect(heap.usedMiB).toBeLessThan(HEAP_AFTER_GC_MIB);
    expect(peaks.agentMiB).toBeLessThan(AGENT_RSS_MIB);
  }, 180_000);

  it('keeps memory bounded, /healthz fast and every missed packet counted under a packet flood', async () => {
    await idle();
    const before = await metrics();
    const rssBefore = rssMiB(pid);
    const health = await probeHealth(agent.baseUrl);
    const rss = sampleRss(pid);
    const sent = await replay(peer, file);
    // Until the capture's last batches and its once-a-second drop report are in.
    const counted = async () => {
      const text = await metrics();
      const of = (name: string) =>
        metric(text, name, `interface="${bridge}"`) - metric(before, name, `interface="${bridge}"`);
      return { received: of('shipwatch_capture_packets_total'), dropped: of('shipwatch_capture_dropped_total') };
    };
    const { received, dropped } = await waitFor(
      async () => {
        const now = await counted();
        return now.received + now.dropped >= sent && now;
      },
      { timeout: 30_000, interval: 500, what: 'every packet sent to be received or counted as dropped' },
    );
    const latency = await health.stop();
    const peaks = await rss.stop();
    const heap = await heapAfterGc(agent);
    console.log(
      `packet flood: sent ${sent} in ${FLOOD_SECONDS} s (${Math.round(sent / FLOOD_SECONDS)}/s, each a new flow), ` +
        `received ${received}, dropped ${dropped} (received + dropped − sent = ${received + dropped - sent}); ` +
        `/healthz ms ${JSON.stringify(latency)}; RSS MiB agent ${rssBefore} → peak ${peaks.agentMiB}, ` +
        `capture child peak ${peaks.captureMiB}; agent heap after GC ${heap.usedMiB} MiB`,
    );
    expect(agent.child.exitCode).toBeNull();
    // Far beyond capacity, and every frame accounted for (a control frame or two of the bridge's own).
    expect(dropped).toBeGreaterThan(sent / 2);
    expect(received + dropped - sent).toBeLessThanOrEqual(20);
    expect(latency.failed).toBe(0);
    expect(latency.p99).toBeLessThan(HEALTHZ_P99_MS);
    expect(latency.max).toBeLessThan(HEALTHZ_MAX_MS);
    expect(heap.usedMiB).toBeLessThan(HEAP_AFTER_GC_MIB);
    expect(peaks.agentMiB).toBeLessThan(AGENT_RSS_MIB);
    expect(peaks.captureMiB).toBeLessThan(CAPTURE_RSS_MIB);
  }, 120_000);
});
