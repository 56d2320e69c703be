// Start-up time of the `shipwatch` CLI: the compiled build (bin/shipwatch.js → build/) against its
// peer, the same commands through tsx on the sources (bench/shipwatch-tsx.js), and bare `node -e 0`
// as the floor no Node program starts under. Each round runs every command once, in turn, so a
// machine whose speed drifts slows both sides alike; medians over the rounds, and the median of the
// per-round ratios.
//
// Run: npm run build && node --import tsx bench/cli-start.ts [rounds]   (default 15, at most 100)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

function time(args: string[]): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
  const elapsed = performance.now() - start;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
  return elapsed / 1000;
}

const floor: number[] = [];
const samples: Record<string, { built: number[]; peer: number[] }> = Object.fromEntries(
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
console.log(`${rounds} rounds; node -e 0: median ${f(median(floor))} s`);
console.log('command            built (s)  tsx (s)  built/tsx');
for (const [name, s] of Object.entries(samples)) {
  const ratios = s.built.map((b, i) => b / s.peer[i]!);
  console.log(
    `${name.padEnd(18)} ${f(median(s.built)).padStart(9)} ${f(median(s.peer)).padStart(8)} ${median(ratios).toFixed(2).padStart(10)}`,
  );
}
