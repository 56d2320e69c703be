// `npm run bench`: every benchmark, each beside its peer in the same run, one table on stdout,
// bench/results.json (machine, Node, commit, date, every figure) and the table in bench/README.md.
//
//   npm run bench [-- --only offline,startup] [--quick] [--soak-minutes 10]
//
// --quick: small sizes and two rounds, to check the suite runs (its figures are not for quoting).
// --only: runs those and replaces their figures in results.json, keeping the others' (each figure
// carries the date and commit of the run that produced it).
// --soak-minutes: length of the memory soak (default 2, to keep the whole run near 15 minutes;
// the issue's full soak is 10).
// Benchmarks that need the private test daemon take the integration tests' lock
// (/tmp/sw-integration.lock) so they never share the daemon with a test run.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { show, type Figure } from './suite/figure.ts';
import { offline, tcpdumpVersion } from './suite/offline.ts';
import { scripted } from './suite/scripted.ts';
import { startup } from './suite/startup.ts';
import { flowMemory } from './suite/flow-memory.ts';
import { costPlot } from './suite/plot.ts';
import { stormAndSoak } from './suite/storm-soak.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'soak-minutes': { type: 'string', default: '2' },
  },
});
const quick = values.quick;
const rounds = quick ? 2 : 5;

// Each runs its rounds synchronously (children and timers of its own): one at a time, never overlapping.
const BENCHMARKS: Record<string, () => Figure[]> = {
  offline: () => offline({ rounds, packets: quick ? 100_000 : 1_000_000, flows: quick ? 2_000 : 20_000 }),
  startup: () => startup({ rounds: quick ? 3 : 11 }),
  memory: () => flowMemory({ flows: quick ? [1_000, 10_000] : [1_000, 10_000, 100_000, 200_000] }),
  ...scripted(quick),
  ...stormAndSoak(quick, Math.min(30, Math.max(0.5, Number(values['soak-minutes'])))),
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

const run = {
  date: started.toISOString(),
  seconds: Math.round((Date.now() - started.getTime()) / 1000),
  commit: git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--untracked-files=no') ? '+dirty' : ''),
  benchmarks: only,
  loadAverageBefore: loadBefore,
  loadAverageAfter: os.loadavg()[0]!,
  // Each run names its CPU: `--only` reruns may land on another machine of this kind.
  cpu: os.cpus()[0]?.model,
};
process.stdout.write(`${renderTable(figures)}\n`);
const file = path.join(import.meta.dirname, 'results.json');
if (quick) {
  // Quick runs check that the suite works; their figures are not for the results file.
  const scratch = path.join(os.tmpdir(), 'shipwatch-bench-results.json');
  writeFileSync(scratch, `${JSON.stringify({ run, figures, failures }, null, 2)}\n`);
  process.stderr.write(`bench: quick run, results in ${scratch}\n`);
} else {
  // `--only` refreshes those benchmarks' figures and keeps the others', each stamped with its run.
  const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Results) : null;
  const kept = (previous?.figures ?? []).filter((f) => !only.includes(f.id.split('.')[0]!));
  const results: Results = {
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      kernel: os.release(),
    },
    node: process.version,
    peers: { tcpdump: tcpdumpVersion() },
    runs: [
      // A run stays listed while a figure it measured is still in the file (figures carry its
      // date), with the benchmarks whose figures are still its own.
      ...(previous?.runs ?? [])
        .map((r) => ({
          ...r,
          benchmarks: r.benchmarks.filter((b) => kept.some((f) => f.date === r.date && f.id.startsWith(`${b}.`))),
        }))
        .filter((r) => r.benchmarks.length > 0),
      run,
    ],
    figures: [...kept, ...figures.map((f) => ({ ...f, date: run.date, commit: run.commit }))].sort(
      (a, b) => order(a.id) - order(b.id),
    ),
    failures,
  };
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  updateReadme(renderTable(results.figures), results.runs);
  const plot = costPlot(results.figures);
  if (plot) writeFileSync(path.join(import.meta.dirname, 'cost-against-load.svg'), plot);
  // In the house format, so `prettier --check .` (the test suite's lint step) stays clean.
  execFileSync('npx', ['prettier', '--write', file, path.join(import.meta.dirname, 'README.md')], { stdio: 'ignore' });
}
if (Object.keys(failures).length) process.exitCode = 1;

interface Results {
  machine: Record<string, string | number>;
  node: string;
  peers: Record<string, string>;
  runs: (typeof run)[];
  figures: (Figure & { date?: string; commit?: string })[];
  failures: Record<string, string>;
}

/** The suite's order of benchmarks, for a stable table. */
function order(id: string): number {
  const index = Object.keys(BENCHMARKS).indexOf(id.split('.')[0]!);
  return index < 0 ? 99 : index;
}

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

function updateReadme(tableText: string, runs: Results['runs']): void {
  const readme = path.join(import.meta.dirname, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const begin = '<!-- results:begin -->';
  const end = '<!-- results:end -->';
  const [head, rest] = text.split(begin);
  if (rest === undefined || !rest.includes(end)) throw new Error(`bench/README.md lacks the ${begin} … ${end} markers`);
  const tail = rest.slice(rest.indexOf(end));
  const stamps = runs.map(
    (r) =>
      `- ${r.benchmarks.join(', ')}: ${r.date.slice(0, 16).replace('T', ' ')} UTC, commit ${r.commit}, load average ${r.loadAverageBefore.toFixed(1)} → ${r.loadAverageAfter.toFixed(1)}, ${r.seconds} s${r.cpu ? `, ${r.cpu}` : ''}`,
  );
  const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}.`;
  writeFileSync(
    readme,
    `${head}${begin}\n\nMachine: ${machine} Runs:\n\n${stamps.join('\n')}\n\n${tableText}\n\n${tail}`,
  );
}
