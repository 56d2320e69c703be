// Offline replay against `tcpdump -r FILE -w /dev/null`, on one core (taskset -c 1 for both).
//   generated: `shipwatch run --pcap` (decode + flows + detectors + DNS: the product's own path)
//              on a generated capture of many flows; each side's start-up is taken out by
//              subtracting the same command on a 10-packet file in the same round.
//   marginal:  the same on a capture twice as long with twice the flows (the same mix), less the
//              first: what each further million packets costs once the JIT has compiled the
//              packet and flow paths (about a fifth of the first replay's CPU, bench/README.md).
//   shuffled:  the same packet count over five times the flows, in random order as real traffic
//              comes: every packet's flow was touched long ago, so its state is a cache miss
//              (the generated capture walks its flows round-robin, in the order they were made).
//   corpus:    the 388 real-world captures of ../shared/pcaps (many crafted to crash parsers),
//              replayed in one process through the compiled decode → flow path; tcpdump once per
//              file, its start-up taken out the same way.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ipv4Frame, pcapFile } from '../../test/support/packet-builder.ts';
import { med, pairedRatio, resultLine, type Figure } from './figure.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CORPUS = path.resolve(ROOT, '../shared/pcaps');
const ONE_CORE = ['taskset', '-c', '1'];

function wall(command: string[], env: NodeJS.ProcessEnv = process.env): { seconds: number; stdout: string } {
  const start = performance.now();
  const result = spawnSync(command[0]!, command.slice(1), { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = (performance.now() - start) / 1000;
  if (result.error) throw result.error;
  return { seconds, stdout: result.stdout };
}

/** A capture of `packets` frames over `flows` 5-tuples (addresses inside 198.18.0.0/15 and 203.0.113.0/24). */
function writeCapture(file: string, packets: number, flows: number): void {
  const pool = Array.from({ length: Math.min(packets, 50_000) }, (_, i) => {
    const flow = i % flows;
    const tcp = flow % 3 !== 0;
    return ipv4Frame({
      src: `198.18.${(flow >> 8) & 0xff}.${(flow & 0xff) | 2}`,
      dst: flow % 2 ? '203.0.113.10' : '198.18.200.3',
      protocol: tcp ? 'tcp' : 'udp',
      srcPort: 30000 + (flow % 30000),
      dstPort: tcp ? 443 : 9999,
      flags: i < flows ? 'S' : 'A',
      payload: Buffer.alloc((i * 7919) % 300),
    });
  });
  writeFileSync(
    file,
    pcapFile(Array.from({ length: packets }, (_, i) => ({ at: 1.7e12 + i / 100, data: pool[i % pool.length]! }))),
  );
}

/**
 * `packets` frames over `flows` flows (each `packets / flows` packets, its first a SYN for TCP) in
 * a fixed pseudo-random order: the same file every run.
 */
function writeShuffledCapture(file: string, packets: number, flows: number): void {
  const frame = (flow: number, first: boolean) =>
    ipv4Frame({
      src: `198.18.${(flow >> 8) & 0xff}.${(flow & 0xff) | 2}`,
      dst: flow % 2 ? '203.0.113.10' : '198.18.200.3',
      protocol: flow % 3 ? 'tcp' : 'udp',
      srcPort: 1024 + (flow % 60000),
      dstPort: flow % 3 ? 443 + (flow >> 16) : 9999,
      flags: first ? 'S' : 'A',
      payload: Buffer.alloc((flow * 7919) % 300),
    });
  const firsts = Array.from({ length: flows }, (_, flow) => frame(flow, true));
  const rests = Array.from({ length: flows }, (_, flow) => frame(flow, false));
  const order = Int32Array.from({ length: packets }, (_, i) => i % flows);
  let seed = 0x5eed;
  for (let i = packets - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const seen = new Uint8Array(flows);
  const records = Array.from(order, (flow, i) => {
    const first = seen[flow] === 0;
    seen[flow] = 1;
    return { at: 1.7e12 + i / 100, data: first ? firsts[flow]! : rests[flow]! };
  });
  writeFileSync(file, pcapFile(records));
}

export function offline(opts: { rounds: number; packets: number; flows: number }): Figure[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-bench-offline-'));
  try {
    const big = path.join(dir, 'many-flows.pcap');
    const double = path.join(dir, 'many-flows-x2.pcap');
    const tiny = path.join(dir, 'tiny.pcap');
    const shuffled = path.join(dir, 'shuffled.pcap');
    const shuffledFlows = 5 * opts.flows;
    writeCapture(big, opts.packets, opts.flows);
    writeShuffledCapture(shuffled, opts.packets, shuffledFlows);
    writeCapture(double, 2 * opts.packets, 2 * opts.flows);
    writeCapture(tiny, 10, 5);
    // No daemon: attribution by CIDR, and no Docker wait in the timing.
    const env = { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    const shipwatch = (file: string) => {
      const stateDir = mkdtempSync(path.join(dir, 'state-'));
      const run = wall(
        [
          ...ONE_CORE,
          process.execPath,
          path.join(ROOT, 'bin/shipwatch.js'),
          'run',
          '--pcap',
          file,
          '--state-dir',
          stateDir,
        ],
        env,
      );
      rmSync(stateDir, { recursive: true, force: true });
      return run;
    };
    const tcpdump = (file: string) => wall([...ONE_CORE, 'tcpdump', '-r', file, '-w', '/dev/null']);
    const replay = (file: string, expected: number) => {
      const run = shipwatch(file);
      const packets = (JSON.parse(run.stdout) as { packets: number }).packets;
      if (packets !== expected) throw new Error(`run --pcap replayed ${packets} of ${expected} packets`);
      return run.seconds;
    };
    const ours: number[] = [];
    const theirs: number[] = [];
    const oursMore: number[] = [];
    const theirsMore: number[] = [];
    const oursShuffled: number[] = [];
    const theirsShuffled: number[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      const pair = [
        () => {
          const once = replay(big, opts.packets);
          const start = shipwatch(tiny).seconds;
          ours.push(once - start);
          oursMore.push(replay(double, 2 * opts.packets) - once);
          oursShuffled.push(replay(shuffled, opts.packets) - start);
        },
        () => {
          const once = tcpdump(big).seconds;
          const start = tcpdump(tiny).seconds;
          theirs.push(once - start);
          theirsMore.push(tcpdump(double).seconds - once);
          theirsShuffled.push(tcpdump(shuffled).seconds - start);
        },
      ];
      // Alternate who goes first, so a drift in the machine's speed does not favour one side.
      for (const step of round % 2 ? pair.reverse() : pair) step();
    }
    const figure = (id: string, benchmark: string, metric: string, o: number[], t: number[]): Figure => ({
      id,
      benchmark,
      metric,
      shipwatch: opts.packets / med(o),
      peer: { name: 'tcpdump -r -w /dev/null', value: opts.packets / med(t) },
      ratio: pairedRatio(o, t),
      goal: null,
      met: null,
      rounds: opts.rounds,
      command: 'npm run bench -- --only offline',
      note: 'ratio = shipwatch time ÷ tcpdump time',
    });
    const count = (n: number) => n.toLocaleString('en-US');
    const rate = figure(
      'offline.generated.rate',
      `offline replay, generated capture (${count(opts.packets)} packets, ${count(opts.flows)} flows)`,
      'packets/s on one core, start-up taken out',
      ours,
      theirs,
    );
    const generated: Figure[] = [
      {
        ...rate,
        goal: '≥ 3 000 000 packets/s and ≤ 2.5× tcpdump -r’s time',
        met: rate.shipwatch >= 3e6 && rate.ratio! <= 2.5,
      },
      {
        ...figure(
          'offline.generated.marginal',
          `offline replay, the next ${count(opts.packets)} packets (a capture of ${count(2 * opts.packets)} packets and ${count(2 * opts.flows)} flows, less the one above)`,
          'packets/s on one core, start-up and JIT warm-up taken out',
          oursMore,
          theirsMore,
        ),
        note: 'ratio = shipwatch time ÷ tcpdump time, for the added packets',
      },
      figure(
        'offline.shuffled.rate',
        `offline replay, ${count(opts.packets)} packets of ${count(shuffledFlows)} flows in random order (as real traffic interleaves them)`,
        'packets/s on one core, start-up taken out',
        oursShuffled,
        theirsShuffled,
      ),
    ];
    return [...generated, corpus(opts.rounds)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function corpus(rounds: number): Figure {
  const files = readdirSync(CORPUS)
    .filter((f) => /\.(pcap|pcapng|cap)$/.test(f))
    .map((f) => path.join(CORPUS, f));
  const seconds: number[] = [];
  let result = { packets: 0, seconds: 0, unreadable: 0 };
  for (let round = 0; round < rounds; round++) {
    const child = wall([...ONE_CORE, process.execPath, path.join(import.meta.dirname, 'replay-child.mjs'), ...files]);
    result = resultLine<{ packets: number; seconds: number; unreadable: number }>(child.stdout);
    seconds.push(result.seconds);
  }
  // tcpdump as the peer reader: how many of the same files it reads to the end without an error.
  const tcpdumpRead = files.filter(
    (file) => spawnSync('tcpdump', ['-r', file, '-w', '/dev/null'], { stdio: 'ignore' }).status === 0,
  ).length;
  return {
    id: 'offline.corpus.files',
    benchmark: `offline replay of the ${files.length} real-world captures in shared/pcaps (many crafted to crash parsers)`,
    metric: `files replayed to the end, no crash (${result.packets.toLocaleString('en-US')} packets in ${(med(seconds) * 1000).toFixed(0)} ms; the rest refused with a clear error)`,
    shipwatch: files.length - result.unreadable,
    peer: { name: 'tcpdump -r -w /dev/null, exit 0', value: tcpdumpRead },
    ratio: null,
    goal: 'no crash, no hang',
    met: true,
    rounds,
    command: 'npm run bench -- --only offline',
    note: 'the corpus is 6 146 packets: a robustness figure, too small for a rate',
  };
}

/** `tcpdump --version` first line, for the results file. */
export function tcpdumpVersion(): string {
  return execFileSync('tcpdump', ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? '';
}
