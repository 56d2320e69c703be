// port_scan: one container contacts many distinct targets (host:port) in a short window and most
// of them never answer or answer with a reset: what nmap, masscan or a `for p in …; nc` loop look
// like on the wire (T1046). A legitimate fan-out (a crawler, a service mesh's health checks)
// reaches many targets too, but they answer: the answered share is what tells the two apart.
// Always on; the state is bounded per container and dropped with the container.
import type { ContainerRef, FlowRecord, ShipwatchEvent } from '../../collector/events.ts';
import type { Detector, StepResult } from '../context.ts';
import { flowDetails, who } from '../describe.ts';
import type { Finding } from '../../findings/index.ts';
import { oriented } from '../flow-orientation.ts';

/** Targets are counted over this window (nmap's default timing probes ~100 ports a second). */
export const SCAN_WINDOW_MS = 10_000;
/** Distinct targets in the window before it can be a scan. */
export const SCAN_MIN_TARGETS = 20;
/** At most this share of the judged targets answered (SYN-ACK, or a UDP reply). */
export const SCAN_MAX_ANSWERED = 0.25;
/**
 * A target neither answered nor refused yet counts as unanswered only after this long (packet
 * time), so twenty connections opened at once to servers that do answer are not a scan.
 */
export const SCAN_SETTLE_MS = 1000;
/** Targets remembered per container; a scan is well past the threshold long before this. */
const MAX_TARGETS = 1024;

interface Target {
  at: number;
  outcome: 'pending' | 'answered' | 'refused';
}

interface Scanner {
  container: ContainerRef;
  targets: Map<string, Target>;
  /** flow id → target key, to mark the target when its flow is answered. */
  flows: Map<string, string>;
  alertedAt: number;
}

export type ScanState = Map<string, Scanner>;

function targetOf(flow: FlowRecord): string {
  return `${flow.dst.ip}:${flow.dst.port ?? '-'}/${flow.protocol}`;
}

function prune(s: Scanner, now: number): void {
  for (const [key, t] of s.targets) {
    if (now - t.at <= SCAN_WINDOW_MS && s.targets.size <= MAX_TARGETS) break;
    s.targets.delete(key);
  }
  for (const [id, key] of s.flows) {
    if (s.targets.has(key) && s.flows.size <= MAX_TARGETS) break;
    s.flows.delete(id);
  }
}

function judge(s: Scanner, flow: FlowRecord, at: number): Finding[] {
  if (at - s.alertedAt < SCAN_WINDOW_MS) return [];
  let judged = 0;
  let answered = 0;
  for (const t of s.targets.values()) {
    if (t.outcome === 'pending' && at - t.at < SCAN_SETTLE_MS) continue;
    judged++;
    if (t.outcome === 'answered') answered++;
  }
  if (judged < SCAN_MIN_TARGETS || answered > judged * SCAN_MAX_ANSWERED) return [];
  s.alertedAt = at;
  const hosts = new Set([...s.targets.keys()].map((k) => k.slice(0, k.lastIndexOf(':')))).size;
  return [
    {
      rule: 'port_scan',
      container: s.container,
      key: hosts === 1 ? `ports:${flow.dst.ip}` : 'hosts',
      summary: `${who(s.container)} contacted ${judged} distinct targets on ${hosts} host(s) within ${SCAN_WINDOW_MS / 1000} s and only ${answered} answered: a port or network scan`,
      details: flowDetails(flow),
      at,
    },
  ];
}

function started(state: ScanState, container: ContainerRef, flow: FlowRecord, at: number): Finding[] {
  let s = state.get(container.id);
  if (!s) state.set(container.id, (s = { container, targets: new Map(), flows: new Map(), alertedAt: -Infinity }));
  const key = targetOf(flow);
  // Re-inserted so the map stays ordered by last contact: pruning walks the oldest first.
  const previous = s.targets.get(key);
  s.targets.delete(key);
  s.targets.set(key, { at, outcome: previous?.outcome ?? 'pending' });
  s.flows.set(flow.id, key);
  prune(s, at);
  return judge(s, flow, at);
}

function progressed(state: ScanState, flow: FlowRecord, at: number): Finding[] {
  const src = flow.src.container;
  const s = src ? state.get(src.id) : undefined;
  const key = s?.flows.get(flow.id);
  const target = key === undefined ? undefined : s?.targets.get(key);
  if (!s || !target) return [];
  // A reset is an answer of a kind, but the one a closed port gives a scanner.
  if (flow.tcpFlags.includes('R')) target.outcome = target.outcome === 'answered' ? 'answered' : 'refused';
  else if (flow.packetsIn > 0) target.outcome = 'answered';
  return judge(s, flow, at);
}

export const scanDetector: Detector<ScanState> = {
  name: 'scan',
  initialState: () => new Map(),
  step(state: ScanState, event: ShipwatchEvent): StepResult<ScanState> {
    switch (event.kind) {
      case 'flow.start': {
        const flow = oriented(event.flow);
        if (flow.src.kind !== 'container' || !flow.src.container) return { state, findings: [] };
        return { state, findings: started(state, flow.src.container, flow, event.at) };
      }
      case 'flow.update':
      case 'flow.end':
        return { state, findings: progressed(state, oriented(event.flow), event.at) };
      case 'container.removed':
        state.delete(event.container.id);
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
