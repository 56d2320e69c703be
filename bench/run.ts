// `npm run bench`: every benchmark, each beside its peer in the same run, one table on stdout,
// bench/results.json (machine, Node, commit, date, every figure) and the table in bench/README.md.
//
//   npm run bench [-- --only offline,startup] [--quick]
//
// --quick: small sizes and two rounds, to check the suite runs (its figures are not for quoting).
// Benchmarks that need the private test daemon take the integration tests' lock
// (/tmp/sw-integration.lock) so they never share the daemon with a test run.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { show, type Figure } from './suite/figure.ts';
import { offline, tcpdumpVersion } from './suite/offline.ts';
import { scripted } from './suite/scripted.ts';
import { startup } from './suite/startup.ts';
import { flowMemory } from './suite/flow-memory.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { only: { type: 'string' }, quick: { type: 'boolean', default: false } } });
const quick = values.quick;
const rounds = quick ? 2 : 5;

// Each runs its rounds synchronously (children and timers of its own): one at a time, never overlapping.
const BENCHMARKS: Record<string, () => Figure[]> = {
  offline: () => offline({ rounds, packets: quick ? 100_000 : 1_000_000, flows: quick ? 2_000 : 20_000 }),
  startup: () => startup({ rounds: quick ? 3 : 11 }),
  memory: () => flowMemory({ flows: quick ? [1_000, 10_000] : [1_000, 10_000, 100_000, 200_000] }),
  ...scripted(quick),
};

const only = values.only ? values.only.split(',') : Object.keys(BENCHMARKS);
for (const name of only)
  if (!BENCHMARKS[name]) throw new Error(`no benchmark "${name}" (have ${Object.keys(BENCHMARKS).join(', ')})`);

const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
const started = new Date();
const loadBefore = os.loadavg()[0]!;
const figures: Figure[] = [];
const failures: Record<string, string> = {};
for (const name of only) {
  const t0 = Date.now();
  process.stderr.write(`bench: ${name}…\n`);
  try {
    figures.push(...BENCHMARKS[name]!());
  } catch (error) {
    // One broken benchmark must not hide the others' figures: it is reported and the run fails.
    failures[name] = error instanceof Error ? error.message : String(error);
    process.stderr.write(`bench: ${name} failed: ${failures[name]}\n`);
  }
  process.stderr.write(`bench: ${name} took ${Math.round((Date.now() - t0) / 1000)} s\n`);
}

const table = renderTable(figures);
process.stdout.write(`${table}\n`);
const results = {
  date: started.toISOString(),
  seconds: Math.round((Date.now() - started.getTime()) / 1000),
  commit: git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--untracked-files=no') ? '+dirty' : ''),
  machine: {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    loadAverageBefore: loadBefore,
    loadAverageAfter: os.loadavg()[0],
  },
  node: process.version,
  peers: { tcpdump: tcpdumpVersion() },
  quick,
  figures,
  failures,
};
if (!quick && !values.only) {
  writeFileSync(path.join(import.meta.dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  updateReadme(table, results.date, results.commit, results.machine.loadAverageBefore);
} else {
  // Partial or quick runs do not overwrite the committed results.
  writeFileSync(path.join(os.tmpdir(), 'shipwatch-bench-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stderr.write(`bench: partial run, results in ${path.join(os.tmpdir(), 'shipwatch-bench-results.json')}\n`);
}
if (Object.keys(failures).length) process.exitCode = 1;

function renderTable(rows: Figure[]): string {
  const lines = [
    '| benchmark | figure | shipwatch | peer | peer figure | ratio | goal | met |',
    '| --- | --- | ---: | --- | ---: | ---: | --- | --- |',
  ];
  for (const f of rows) {
    const met = f.met === null ? '' : f.met ? 'yes' : '**no**';
    lines.push(
      `| ${f.benchmark} | ${f.metric} | ${show(f.shipwatch)} | ${f.peer?.name ?? '–'} | ${show(f.peer?.value)} | ${f.ratio === null ? '–' : `${show(f.ratio)}×`} | ${f.goal ?? ''} | ${met} |`,
    );
  }
  return lines.join('\n');
}

function updateReadme(tableText: string, date: string, commit: string, load: number): void {
  const file = path.join(import.meta.dirname, 'README.md');
  const text = readFileSync(file, 'utf8');
  const begin = '<!-- results:begin -->';
  const end = '<!-- results:end -->';
  const [head, rest] = text.split(begin);
  if (rest === undefined || !rest.includes(end)) throw new Error(`bench/README.md lacks the ${begin} … ${end} markers`);
  const tail = rest.slice(rest.indexOf(end));
  const stamp = `Latest \`npm run bench\`: ${date.slice(0, 16).replace('T', ' ')} UTC, commit ${commit}, ${os.cpus().length} cores, load average ${load.toFixed(1)} at the start.`;
  writeFileSync(file, `${head}${begin}\n${stamp}\n\n${tableText}\n\n${tail}`);
}
