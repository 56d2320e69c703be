// One line of the benchmark report: shipwatch's figure beside its peer's, measured in the same
// run. These machines are noisy, so every paired figure is the median over rounds in which the two
// ran in turn, and the ratio is the median of the per-round ratios (a round where the machine was
// slow slows both sides alike).
import { median } from 'simple-statistics';

export interface Figure {
  /** Stable key, e.g. "offline.generated.rate". */
  id: string;
  benchmark: string;
  /** What the number is, with its unit: "packets/s on one core". */
  metric: string;
  shipwatch: number;
  peer: { name: string; value: number } | null;
  /** shipwatch ÷ peer (median of per-round ratios when paired), or null without a peer. */
  ratio: number | null;
  /** The target for this figure, in words, and whether this run met it. */
  goal: string | null;
  met: boolean | null;
  rounds: number;
  /** The command that reproduces this figure alone. */
  command: string;
  note?: string;
}

export const med = (values: number[]): number => (values.length ? median(values) : NaN);

/** Median of a[i] / b[i] over the rounds where both were measured. */
export function pairedRatio(a: number[], b: number[]): number {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (Number.isFinite(a[i]) && Number.isFinite(b[i]) && b[i] !== 0) ratios.push(a[i]! / b[i]!);
  }
  return med(ratios);
}

/** A number as the report prints it: three significant digits, thousands spaced. */
export function show(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  const rounded = abs >= 100 ? Math.round(value) : Number(value.toPrecision(3));
  return rounded.toLocaleString('en-US').replaceAll(',', ' ');
}

/** The last `BENCH_RESULT {json}` line a benchmark script printed (how scripts hand figures to the suite). */
export function resultLine<T>(output: string): T {
  const line = output
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(`no BENCH_RESULT line in:\n${output.slice(-2000)}`);
  return JSON.parse(line.slice('BENCH_RESULT '.length)) as T;
}
