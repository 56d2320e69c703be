// A veth port on a Linux bridge for the benchmarks that feed real packets with tcpreplay: either a
// private bridge of our own with that one port (bench/alert-storm.ts), or a port on a Docker
// network's bridge of the private test daemon (bench/memory-soak.ts). The same setup as
// bench/live-capture.ts, shared here by the newer scripts.
//
// Network safety: the frames replayed are addressed to a MAC that lives on our own port (see
// `sameportMac` in memory-soak.ts) or to a bridge with no other port, so they go nowhere; the
// host drops frames not addressed to it. Everything created is removed by `remove()`.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const ip = (...args: string[]) => execFileSync('ip', args);

export interface BridgePort {
  bridge: string;
  /** The veth end tcpreplay writes into; its twin is the bridge's port. */
  peer: string;
  remove(): void;
}

function addPort(bridge: string, tag: string, ownBridge: boolean): BridgePort {
  const [veth, peer] = [`swbv-${tag}`, `swbp-${tag}`];
  const remove = () => {
    if (ownBridge) ip('link', 'del', bridge);
    try {
      ip('link', 'del', veth);
    } catch {
      // gone with the bridge, or never made; the peer goes with the pair
    }
  };
  try {
    ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', peer);
    ip('link', 'set', veth, 'master', bridge);
    // No IPv6 on the bench links: router solicitations would add frames nobody sent.
    const links = ownBridge ? [bridge, veth, peer] : [veth, peer];
    for (const name of links) writeFileSync(`/proc/sys/net/ipv6/conf/${name}/disable_ipv6`, '1');
    for (const name of links) ip('link', 'set', name, 'up');
  } catch (error) {
    remove();
    throw error;
  }
  return { bridge, peer, remove };
}

/** A new bridge swb-<tag> whose only port is ours. */
export function privateBridge(): BridgePort {
  const tag = Math.random().toString(16).slice(2, 8);
  const bridge = `swb-${tag}`;
  ip('link', 'add', bridge, 'type', 'bridge');
  return addPort(bridge, tag, true);
}

/** A port of ours on an existing bridge (a Docker network's br-<id>). */
export function portOn(bridge: string): BridgePort {
  return addPort(bridge, Math.random().toString(16).slice(2, 8), false);
}

/**
 * Replays `count` frames of `file` into `peer` at `rate` packets/s (tcpreplay -K: preloaded, so
 * reading the file does not limit the rate); resolves with the rate tcpreplay says it achieved.
 * Asynchronous: the capture's side of the pipe is read on the caller's event loop.
 */
export async function replay(peer: string, file: string, frames: number, rate: number, count: number): Promise<number> {
  const child = spawn(
    'tcpreplay',
    ['-K', '-i', peer, '--pps', String(rate), '-l', String(Math.ceil(count / frames)), '-L', String(count), file],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  // tcpreplay's own measure of the rate it sent at ("Rated: … Bps, … Mbps, N pps").
  return Math.round(Number(/([\d.]+) pps/.exec(out)?.[1] ?? NaN));
}

/**
 * CPU seconds a process has run, all its threads, from each thread's /proc/<pid>/task/<tid>/schedstat
 * (nanoseconds on a CPU). Not /proc/<pid>/stat's user + system: those count 10 ms ticks, and
 * tcpdump's share of a 2 s run at 50 000 packets/s is two or three of them, so a ratio to it was
 * off by a third either way. A thread that has exited drops out of the sum: read it around a
 * window in which the process keeps its threads (V8's and libuv's stay for its life).
 */
export function cpuOf(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // exited between the listing and the read
    }
  }
  return ns / 1e9;
}

/**
 * Proportional set size of a process in bytes, from /proc/<pid>/smaps_rollup: each page shared
 * with n processes counts 1/n. Summing RSS over the agent and its capture children counts the
 * `node` binary's pages once per process (~34 MiB each); summed PSS counts them once in all.
 */
export function pssOf(pid: number): number {
  const kb = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1];
  return Number(kb ?? NaN) * 1024;
}

/** Resident set size of a process in bytes, from /proc/<pid>/status (VmRSS). */
export function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? NaN) * 1024;
}

/** The direct children of a process (pgrep -P); none when it has none or is gone. */
export function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
