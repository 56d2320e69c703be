// Live capture rate: tcpreplay into a private Linux bridge at fixed rates, the agent's capture
// path (capture child + decode + flow table, in a process of its own: live-agent.ts) and
// `tcpdump -w /dev/null` on it side by side. Each one's CPU is read from /proc (every thread's
// schedstat), so the bench's own work in this process is no one's.
//
//   npx tsx bench/live-capture.ts [rates=20000,50000,100000] [seconds=2] [alone]
//
// `alone`: no tcpdump beside the agent. Its packet socket costs the sender's softirq too, and on a
// 2-core machine tcpreplay cannot reach 200 000 packets/s into a bridge captured twice.
//
// Needs root, tcpreplay and tcpdump. Creates bridge swb-<rand> with one veth port, replays a
// synthetic capture (addresses in 198.18.0.0/15 and 203.0.113.0/24; the frames go nowhere: no
// other port, and the host drops frames not addressed to it), removes everything at the end.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentStats } from './live-agent.ts';
import { ipv4Frame, pcapFile } from '../test/support/packet-builder.ts';
import { cpuOf } from './private-bridge.ts';

const rates = (process.argv[2] ?? '20000,50000,100000').split(',').map(Number);
const seconds = Number(process.argv[3] ?? 2);
const sideBySide = process.argv[4] !== 'alone';
const tag = Math.random().toString(16).slice(2, 8);
const bridge = `swb-${tag}`;
const [veth, peer] = [`swbv-${tag}`, `swbp-${tag}`];
const ip = (...args: string[]) => execFileSync('ip', args);

const dir = mkdtempSync(path.join(tmpdir(), 'sw-live-'));
const file = path.join(dir, 'replay.pcap');
const frames = Array.from({ length: 20_000 }, (_, i) => ({
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
}));
writeFileSync(file, pcapFile(frames));

ip('link', 'add', bridge, 'type', 'bridge');
try {
  ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', peer);
  ip('link', 'set', veth, 'master', bridge);
  // No IPv6 on the bench links: router solicitations would add frames nobody sent.
  for (const name of [bridge, veth, peer]) writeFileSync(`/proc/sys/net/ipv6/conf/${name}/disable_ipv6`, '1');
  for (const name of [bridge, veth, peer]) ip('link', 'set', name, 'up');
  const agent = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'live-agent.ts'), bridge], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // Its answers in the order asked; its exit fails whatever is still waiting.
  const waiting: { resolve: (message: unknown) => void; reject: (error: Error) => void }[] = [];
  agent.on('message', (message) => waiting.shift()?.resolve(message));
  agent.once('exit', (code) => {
    for (const { reject } of waiting.splice(0)) reject(new Error(`the agent process exited (${code})`));
  });
  const next = () => new Promise<unknown>((resolve, reject) => waiting.push({ resolve, reject }));
  const ask = async (): Promise<AgentStats> => {
    const answer = next();
    agent.send('stats');
    return (await answer) as AgentStats;
  };
  const { capturePid } = (await next()) as { capturePid: number };
  const agentCpu = () => cpuOf(agent.pid!) + cpuOf(capturePid);
  let lags: number[] = [];
  const results: Record<string, number | boolean>[] = [];
  for (const rate of rates) {
    const tcpdump = sideBySide
      ? spawn('tcpdump', ['-i', bridge, '-n', '-w', '/dev/null'], { stdio: ['ignore', 'ignore', 'pipe'] })
      : null;
    let tdErr = '';
    tcpdump?.stderr.on('data', (c: Buffer) => (tdErr += c.toString()));
    while (tcpdump && !tdErr.includes('listening')) await sleep(20);
    const count = rate * seconds;
    const { received: before } = await ask();
    lags = [];
    const [childBefore, agentBefore, tdBefore] = [cpuOf(capturePid), agentCpu(), tcpdump ? cpuOf(tcpdump.pid!) : 0];
    // Asynchronously: the agent's side of the pipe is read on this event loop, which must not block.
    const replay = spawn(
      'tcpreplay',
      // -K: preload the file into memory, so reading it does not limit the rate.
      [
        '-K',
        '-i',
        peer,
        '--pps',
        String(rate),
        '-l',
        String(Math.ceil(count / frames.length)),
        '-L',
        String(count),
        file,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let replayOut = '';
    replay.stdout.on('data', (c: Buffer) => (replayOut += c.toString()));
    await new Promise((resolve) => replay.once('exit', resolve));
    // tcpreplay's own measure of the rate it sent at ("Rated: … Bps, … Mbps, N pps").
    const achieved = Math.round(Number(/([\d.]+) pps/.exec(replayOut)?.[1] ?? NaN));
    // Wait until nothing more arrives: what is still in the ring or the pipe is late, not lost.
    const replayed = Date.now();
    let seen = -1;
    let received = before;
    let captureMissed = 0;
    while (seen !== received && Date.now() - replayed < 10_000) {
      seen = received;
      await sleep(300);
      const stats = await ask();
      received = stats.received;
      captureMissed += stats.dropped;
      lags.push(...stats.lags);
    }
    const drainMs = Date.now() - replayed - 300;
    const childCpu = cpuOf(capturePid) - childBefore;
    const agentCpuSeconds = agentCpu() - agentBefore;
    const tdCpu = tcpdump ? cpuOf(tcpdump.pid!) - tdBefore : NaN;
    if (tcpdump) {
      const exited = new Promise((resolve) => tcpdump.once('exit', resolve));
      tcpdump.kill('SIGINT');
      await exited;
    }
    const tdGot = Number(/(\d+) packets captured/.exec(tdErr)?.[1] ?? NaN);
    const got = received - before;
    lags.sort((a, b) => a - b);
    const lagMs = (q: number) =>
      lags.length ? Math.round(lags[Math.min(lags.length - 1, Math.floor(q * lags.length))]!) : NaN;
    const lagP99Ms = lagMs(0.99);
    const lag = `lag p50 ${lagMs(0.5)} ms, p99 ${lagP99Ms} ms, max ${lagMs(1)} ms`;
    lags = [];
    const cores = (cpu: number) => `${((cpu / (seconds + drainMs / 1000)) * 100).toFixed(0)}% of a core`;
    process.stdout.write(
      `${String(rate).padStart(7)} packets/s × ${seconds}s (tcpreplay sent at ${achieved}/s): agent got ${got}/${count} (lost ${count - got}, capture missed ${captureMissed} (ring or child queue), ${lag}), ${cores(agentCpuSeconds)} (capture child ${cores(childCpu)}); ` +
        (tcpdump ? `tcpdump got ${tdGot}, ${cores(tdCpu)}\n` : 'tcpdump not run\n'),
    );
    results.push({
      rate,
      achieved,
      sent: count,
      received: got,
      captureMissed,
      lagP99Ms,
      agentCpuSeconds,
      childCpuSeconds: childCpu,
      tcpdumpCpuSeconds: tdCpu,
      tcpdumpReceived: tdGot,
      tcpdump: sideBySide,
    });
  }
  // For `npm run bench` (bench/suite/scripted.ts).
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(results)}\n`);
  const exited = new Promise((resolve) => agent.once('exit', resolve));
  agent.send('stop');
  await exited;
} finally {
  ip('link', 'del', bridge);
  try {
    ip('link', 'del', veth);
  } catch {
    // deleting the bridge does not delete its ports; the peer goes with the pair
  }
  rmSync(dir, { recursive: true, force: true });
}
