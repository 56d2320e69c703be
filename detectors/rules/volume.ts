// egress_volume: a container sends far more to external destinations than its workload ever did
// during learning — to one destination, or to all of them together — within one 10 s window
// (T1048). The window is what catches a single burst: a 64 MB upload that takes one second is one
// window's worth, where a resource rule sampling every few seconds needs two anomalous samples.
// The flow table reports a flow every few MiB it sends (not only every minute), so a long upload
// is judged while it runs.
import type { ShipwatchEvent } from '../../collector/events.ts';
import { BoundedMap } from '../../core/bounded-map.ts';
import { judging } from '../baseline.ts';
import type { Detector, DetectorContext, StepResult } from '../context.ts';
import { destination, flowDetails, who } from '../describe.ts';
import {
  accountEgress,
  newEgressBytes,
  VOLUME_WINDOW_MS,
  type EgressBytes,
  type EgressWindow,
} from '../egress-bytes.ts';
import type { Finding } from '../../findings/index.ts';

/** Container and key pairs remembered for the once-per-window rule. */
const MAX_ALERTED = 4096;
/** "Far above": this many times the learned maximum… */
export const VOLUME_FACTOR = 10;
/** …and at least this much more, so a workload that learned near-silence may still send a few MB. */
export const VOLUME_MIN_EXCESS_BYTES = 16 * 1024 * 1024;

export function volumeLimit(learned: number): number {
  return Math.max(learned * VOLUME_FACTOR, learned + VOLUME_MIN_EXCESS_BYTES);
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export interface VolumeState {
  bytes: EgressBytes;
  /** container id + key → when it last alerted: once per window, not once per update of the burst. */
  alerted: BoundedMap<string, number>;
}

function fresh(state: VolumeState, finding: Finding, at: number): boolean {
  const id = `${finding.container?.id ?? ''}|${finding.key}`;
  const last = state.alerted.get(id);
  if (last !== undefined && at - last < VOLUME_WINDOW_MS) return false;
  state.alerted.set(id, at);
  return true;
}

function judge(state: VolumeState, sent: EgressWindow, ctx: DetectorContext, at: number): Finding[] {
  const { container, flow } = sent;
  const baseline = ctx.baseline(container.workload);
  if (!judging(baseline, ctx.now)) return [];
  const learned = baseline.egressVolume;
  const window = `${VOLUME_WINDOW_MS / 1000} s`;
  const findings: Finding[] = [];
  if (sent.toDestination > volumeLimit(learned.perDestination)) {
    findings.push({
      rule: 'egress_volume',
      container,
      key: `dst:${flow.dst.ip}`,
      summary: `${who(container)} sent ${mib(sent.toDestination)} to ${destination(flow.dst, flow.protocol)} within ${window}; during learning it sent at most ${mib(learned.perDestination)} to one destination`,
      details: flowDetails(flow),
      at,
    });
  } else if (sent.total > volumeLimit(learned.total)) {
    findings.push({
      rule: 'egress_volume',
      container,
      key: 'total',
      summary: `${who(container)} sent ${mib(sent.total)} to external destinations within ${window}; during learning it sent at most ${mib(learned.total)}`,
      details: flowDetails(flow),
      at,
    });
  }
  return findings.filter((f) => fresh(state, f, at));
}

export const volumeDetector: Detector<VolumeState> = {
  name: 'volume',
  initialState: () => ({ bytes: newEgressBytes(), alerted: new BoundedMap<string, number>(MAX_ALERTED) }),
  step(state: VolumeState, event: ShipwatchEvent, ctx: DetectorContext): StepResult<VolumeState> {
    switch (event.kind) {
      case 'flow.start':
      case 'flow.update':
      case 'flow.end': {
        const sent = accountEgress(state.bytes, event);
        return { state, findings: sent ? judge(state, sent, ctx, event.at) : [] };
      }
      case 'container.removed':
        accountEgress(state.bytes, event);
        return { state, findings: [] };
      case 'dns.answer':
      case 'container.created':
      case 'container.started':
      case 'container.stopped':
      case 'container.paused':
      case 'container.unpaused':
      case 'network.connected':
      case 'network.disconnected':
      case 'network.created':
      case 'network.removed':
      case 'exec.started':
      case 'process.exec':
      case 'process.exit':
      case 'file.changed':
      case 'stats.sample':
      case 'daemon.posture':
        return { state, findings: [] };
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
      }
    }
  },
};
