// Start-up time of the `shipwatch` CLI: the compiled build (bin/shipwatch.js → build/) against its
// peer, the same commands through tsx on the sources (bench/shipwatch-tsx.js), and bare `node -e 0`
// as the floor no Node program starts under. Each round runs every command once, in turn, so a
// machine whose speed drifts slows both sides alike; medians over the rounds, and the median of the
// per-round ratios. Wall time is what a user waits; CPU time (user + system of the child, from
// /proc/self/stat's cutime + cstime, 10 ms ticks) moves less when other users load the machine.
//
// Run: npm run build && node --import tsx bench/cli-start.ts [rounds]   (default 15, at most 100)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from 'simple-statistics';

const rounds = Math.min(Math.max(Number(process.argv[2] ?? 15), 1), 100);
const root = path.resolve(import.meta.dirname, '..');
const stateDir = mkdtempSync(path.join(tmpdir(), 'sw-bench-cli-'));
const built = path.join(root, 'bin/shipwatch.js');
const peer = path.join(root, 'bench/shipwatch-tsx.js');

const commands: Record<string, string[]> = {
  '--help': ['--help'],
  'alerts --limit 1': ['alerts', '--limit', '1', '--state-dir', stateDir],
};

interface Sample {
  wall: number;
  cpu: number;
}

/** User + system seconds of this process's waited-for children so far (Linux, USER_HZ = 100). */
function childrenCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: state is field 3, cutime field 16 and cstime field 17 (proc(5)).
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

function time(args: string[]): Sample {
  const cpuBefore = childrenCpu();
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
  const wall = (performance.now() - start) / 1000;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
  return { wall, cpu: childrenCpu() - cpuBefore };
}

const floor: Sample[] = [];
const samples: Record<string, { built: Sample[]; peer: Sample[] }> = Object.fromEntries(
  Object.keys(commands).map((name) => [name, { built: [], peer: [] }]),
);
// One untimed run of each, so tsx's cache and the page cache are warm for both sides.
for (const args of Object.values(commands)) {
  time([built, ...args]);
  time([peer, ...args]);
}
for (let round = 0; round < rounds; round++) {
  floor.push(time(['-e', '0']));
  for (const [name, args] of Object.entries(commands)) {
    const s = samples[name]!;
    // Alternate which side goes first: neither always runs right after the other warmed a cache.
    const order = round % 2 ? (['peer', 'built'] as const) : (['built', 'peer'] as const);
    for (const side of order) s[side].push(time([side === 'built' ? built : peer, ...args]));
  }
}
rmSync(stateDir, { recursive: true, force: true });

const f = (seconds: number) => seconds.toFixed(3);
const med = (list: Sample[], key: keyof Sample) => median(list.map((x) => x[key]));
console.log(`${rounds} rounds; node -e 0: median wall ${f(med(floor, 'wall'))} s, cpu ${f(med(floor, 'cpu'))} s`);
console.log('command            wall: built (s)  tsx (s)  built/tsx   cpu: built (s)  tsx (s)  built/tsx');
for (const [name, s] of Object.entries(samples)) {
  const ratio = (key: keyof Sample) => median(s.built.map((b, i) => b[key] / Math.max(s.peer[i]![key], 0.01)));
  const columns = (key: keyof Sample) =>
    `${f(med(s.built, key)).padStart(15)} ${f(med(s.peer, key)).padStart(8)} ${ratio(key).toFixed(2).padStart(10)}`;
  console.log(`${name.padEnd(18)} ${columns('wall')}  ${columns('cpu')}`);
}
