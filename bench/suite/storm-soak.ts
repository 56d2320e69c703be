// The alert storm during live capture (bench/alert-storm.ts) and the agent's memory with many
// containers and flows plus a churn soak (bench/memory-soak.ts), as suite entries `storm` and
// `soak`. Both are scripts of their own (root, a bridge, the private daemon), run as children.
import { med, resultLine, type Figure } from './figure.ts';
import type { StormRow } from '../alert-storm.ts';
import { ensureTestenv, runScript, TESTENV } from './scripted.ts';

function storm(quick: boolean): Figure[] {
  const rates = quick ? [100_000] : [100_000, 200_000];
  const [rounds, seconds, perSecond] = quick ? [1, 3, 1000] : [2, 10, 1000];
  const args = [rates.join(','), String(rounds), String(seconds), String(perSecond)];
  const rows = resultLine<StormRow[]>(runScript('alert-storm.ts', args, false));
  const command = `npx tsx bench/alert-storm.ts ${args.join(' ')}`;
  const lost = (r: StormRow) => Math.max(0, r.sent - r.received);
  const figures: Figure[] = [];
  for (const rate of rates) {
    const withStorm = rows.filter((r) => r.rate === rate && r.storm);
    const without = rows.filter((r) => r.rate === rate && !r.storm);
    const sentAt = med(rows.filter((r) => r.rate === rate).map((r) => r.achieved));
    const ours = med(withStorm.map(lost));
    const theirs = med(without.map(lost));
    const lossFree = withStorm.every((r) => lost(r) === 0 && r.captureMissed === 0);
    figures.push({
      id: `storm.lost.${rate}`,
      benchmark: `alert storm (${perSecond.toLocaleString('en-US')} alerts/s offered for ${seconds} s) during live capture at ${rate.toLocaleString('en-US')} packets/s asked (${Math.round(sentAt).toLocaleString('en-US')} sent)`,
      metric: `packets lost, median of ${rounds} rounds (missed by the capture, in the kernel ring or the child's queue, ${med(withStorm.map((r) => r.captureMissed))} vs ${med(without.map((r) => r.captureMissed))}; capture lag p99 ${Math.round(med(withStorm.map((r) => r.lagP99Ms)))} vs ${Math.round(med(without.map((r) => r.lagP99Ms)))} ms; capture child RSS peak ${Math.round(med(withStorm.map((r) => r.childRssPeakMiB)))} vs ${Math.round(med(without.map((r) => r.childRssPeakMiB)))} MiB)`,
      shipwatch: ours,
      peer: { name: 'the same capture without the storm, alternating rounds', value: theirs },
      // Counts of packets, often 0 on one side: the ratio of the medians where it means anything.
      ratio: ours && theirs ? ours / theirs : null,
      goal: rate === 200_000 ? 'loss-free at ≥ 200 000 packets/s during the storm' : 'loss-free during the storm',
      // A rate the generator could not reach cannot meet a goal stated at that rate.
      met: lossFree && (rate < 200_000 || sentAt >= 200_000 * 0.99),
      rounds,
      command,
    });
  }
  const stormRows = rows.filter((r) => r.storm);
  const journalled = med(stormRows.map((r) => r.journalledPerSecond));
  const deliveredRate = med(stormRows.map((r) => r.deliveredPerSecond));
  figures.push(
    {
      id: 'storm.journal',
      benchmark: `alert storm during live capture: alerts journalled (fsync'd once per turn), all rates (${Math.round(med(stormRows.map((r) => r.alerts)))} of ${perSecond * seconds} offered per round)`,
      metric: 'alerts/s over the storm, median of rounds',
      shipwatch: journalled,
      peer: { name: 'alerts/s offered', value: perSecond },
      ratio: journalled / perSecond,
      goal: `${perSecond.toLocaleString('en-US')} alerts/s`,
      met: journalled >= perSecond * 0.99,
      rounds: stormRows.length,
      command,
    },
    {
      id: 'storm.delivery',
      benchmark: `alert storm during live capture: webhook deliveries to 127.0.0.1 (${Math.round(med(stormRows.map((r) => r.delivered)))} delivered per round within ${seconds} s + 10 s)`,
      metric: 'alerts/s from the storm’s start to the last receipt, median of rounds',
      shipwatch: deliveredRate,
      peer: { name: 'alerts/s offered', value: perSecond },
      ratio: deliveredRate / perSecond,
      goal: null,
      met: null,
      rounds: stormRows.length,
      command,
    },
  );
  return figures;
}

interface SoakResult {
  containers: number;
  flowsSent: number;
  flowsActive: number;
  mainMiB: number;
  captureMiB: number;
  captureChildren: number;
  otherCaptureChildren: number;
  totalMiB: number;
  daemonMiB: number;
  /** The same processes' PSS: pages shared among them (the node binary) counted once. */
  pssMiB: number;
  daemonPssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
  endHeapUsedMiB: number;
  heapTotalMiB: number;
  endHeapTotalMiB: number;
  endExternalMiB: number;
  soakMinutes: number;
  churned: number;
  endTotalMiB: number;
  endFlows: number;
  growthMiBPerMinute: number;
  mainGrowthMiBPerMinute: number;
  daemonGrowthMiBPerMinute: number;
  /** Slopes from the 5th minute on (null under 7 minutes): see memory-soak.ts. */
  lateGrowthMiBPerMinute: number | null;
  lateMainGrowthMiBPerMinute: number | null;
  /** [minutes, total MiB, main MiB] per sample. */
  curve: [number, number, number][];
}

function soak(quick: boolean, minutes: number): Figure[] {
  ensureTestenv();
  const [containers, flows] = quick ? [20, 10_000] : [100, 100_000];
  const soakMinutes = quick ? 0.5 : minutes;
  const args = [String(containers), String(flows), String(soakMinutes)];
  const r = resultLine<SoakResult>(runScript('memory-soak.ts', args, true));
  const command = `DOCKER_HOST=unix://${TESTENV}/docker.sock npx tsx bench/memory-soak.ts ${args.join(' ')}`;
  const who = `the real agent, ${r.containers} containers, ${r.flowsActive.toLocaleString('en-US')} active flows from real packets on their bridge`;
  // Bounded: over the soak the agent's RSS grows by less than 1 % of itself a minute.
  const bounded = r.growthMiBPerMinute < r.totalMiB / 100;
  const late =
    r.lateGrowthMiBPerMinute === null || r.lateMainGrowthMiBPerMinute === null
      ? ''
      : `; from minute 5 on, once a removed container's alerts start to leave the 5 m dedup window: ${r.lateGrowthMiBPerMinute.toFixed(2)}, main ${r.lateMainGrowthMiBPerMinute.toFixed(2)}`;
  // RSS about every 2 minutes, from the curve: the shape behind the slope.
  const last = r.curve.at(-1)?.[0] ?? 0;
  const marks = Array.from({ length: Math.floor(last / 2) + 1 }, (_, i) => i * 2);
  const nearest = (t: number) => r.curve.reduce((a, b) => (Math.abs(b[0] - t) < Math.abs(a[0] - t) ? b : a));
  // The last sample too, once: it is often the nearest to the last mark already.
  const points = r.curve.length ? [...new Set([...marks.map(nearest), r.curve.at(-1)!])] : [];
  const shape = points.map(([minute, total]) => `${minute.toFixed(1)} m ${total}`).join(', ');
  return [
    {
      id: 'soak.rss',
      benchmark: `memory: ${who}`,
      metric: `RSS MiB, main process + its ${r.captureChildren} capture children on docker0 and the bench network (main ${Math.round(r.mainMiB)}: V8 heap used ${Math.round(r.heapUsedMiB)}, external ${Math.round(r.externalMiB)}; capture ${Math.round(r.captureMiB)}; by PSS, shared pages once: ${Math.round(r.pssMiB)}, against dockerd + containerd's ${Math.round(r.daemonPssMiB)})`,
      shipwatch: r.totalMiB,
      peer: { name: 'dockerd + containerd running the same containers, RSS MiB', value: r.daemonMiB },
      ratio: r.totalMiB / r.daemonMiB,
      goal: '< 200 MiB',
      met: r.totalMiB < 200 && r.flowsActive >= flows,
      rounds: 1,
      command,
    },
    {
      id: 'soak.growth',
      benchmark: `memory over a ${soakMinutes}-minute soak with container churn (${r.churned} containers replaced, flows replayed every minute; ${r.endFlows.toLocaleString('en-US')} active at the end)`,
      metric: `RSS growth, MiB per minute (least-squares slope; main process ${r.mainGrowthMiBPerMinute.toFixed(1)}${late}; end ${Math.round(r.endTotalMiB)} MiB; RSS ${shape}; main process: V8 heap used ${Math.round(r.heapUsedMiB)} → ${Math.round(r.endHeapUsedMiB)}, heap reserved ${Math.round(r.heapTotalMiB)} → ${Math.round(r.endHeapTotalMiB)}, external ${Math.round(r.externalMiB)} → ${Math.round(r.endExternalMiB)} MiB)`,
      shipwatch: r.growthMiBPerMinute,
      peer: { name: 'dockerd + containerd, same window, MiB per minute', value: r.daemonGrowthMiBPerMinute },
      ratio: null,
      goal: 'bounded growth (< 1 % of RSS a minute)',
      met: bounded,
      rounds: 1,
      command,
    },
  ];
}

/** Registry entries for bench/run.ts. */
export function stormAndSoak(quick: boolean, soakMinutes: number): Record<string, () => Figure[]> {
  return { storm: () => storm(quick), soak: () => soak(quick, soakMinutes) };
}
