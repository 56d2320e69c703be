// Memory against the number of active flows, each count in a fresh process. The peer is the
// kernel's own bookkeeping of a connection: the size of one nf_conntrack entry on this machine
// (from /sys/kernel/slab or /proc/slabinfo), what the host already spends per flow it tracks.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { resultLine, type Figure } from './figure.ts';

interface Sample {
  flows: number;
  active: number;
  rssMiB: number;
  baseRssMiB: number;
  heapBytesPerFlow: number;
}

function conntrackEntryBytes(): number | null {
  const sys = '/sys/kernel/slab/nf_conntrack/object_size';
  if (existsSync(sys)) return Number(readFileSync(sys, 'utf8'));
  try {
    const line = readFileSync('/proc/slabinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('nf_conntrack '));
    return line ? Number(line.split(/\s+/)[3]) : null;
  } catch {
    return null;
  }
}

export function flowMemory(opts: { flows: number[] }): Figure[] {
  const child = path.join(import.meta.dirname, 'flow-memory-child.mjs');
  const peerBytes = conntrackEntryBytes();
  const figures: Figure[] = [];
  for (const flows of opts.flows) {
    const run = spawnSync(process.execPath, ['--expose-gc', child, String(flows)], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`flow-memory child (${flows} flows) exited ${run.status}: ${run.stderr}`);
    const sample = resultLine<Sample>(run.stdout);
    if (sample.active !== flows) throw new Error(`${sample.active} of ${flows} flows active`);
    const grownMiB = sample.rssMiB - sample.baseRssMiB;
    const perFlow = (grownMiB * 2 ** 20) / flows;
    // A few thousand flows are a MiB or two, within what RSS moves by as the GC returns pages: a
    // run of 1 000 flows once ended 0.9 MiB below where it began, and printed -918 B a flow.
    const measurable = perFlow > 0;
    const rssText = measurable ? `${Math.round(perFlow)} B of RSS` : `RSS ${grownMiB.toFixed(1)} MiB, within its noise`;
    figures.push({
      id: `memory.flows.${flows}`,
      benchmark: `memory, ${flows.toLocaleString('en-US')} active flows`,
      metric: `RSS MiB (per flow: ${rssText}, ${Math.round(sample.heapBytesPerFlow)} B of heap)`,
      shipwatch: sample.rssMiB,
      peer: peerBytes ? { name: 'kernel nf_conntrack entry, bytes per flow', value: peerBytes } : null,
      ratio: peerBytes && measurable ? perFlow / peerBytes : null,
      goal: flows === 100_000 ? '< 200 MiB (with 100 containers: the flows part only here)' : null,
      met: flows === 100_000 ? sample.rssMiB < 200 : null,
      rounds: 1,
      command: 'npm run bench -- --only memory',
      note: 'ratio = RSS bytes per flow ÷ conntrack entry size',
    });
  }
  return figures;
}
