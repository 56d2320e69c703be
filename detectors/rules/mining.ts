// crypto_mining (T1496): the stratum protocol in a flow's first payload bytes — the JSON-RPC login
// or subscribe a miner sends its pool first, which the capture's snaplen keeps — or a connection
// to a well-known pool port from a container where a miner-like process ran. The first is proof on
// the wire whatever the process is called; the second catches TLS-wrapped stratum, whose first
// bytes are a TLS hello. A flow cannot be tied to the process that opened it without eBPF, so the
// second form pairs them by container and time.
import type { ContainerRef, FlowRecord, ProcessInfo, ShipwatchEvent } from '../../collector/events.ts';
import { BoundedMap } from '../../core/bounded-map.ts';
import type { Detector, StepResult } from '../context.ts';
import { destination, flowDetails, processDetails, quoted, who } from '../describe.ts';
import type { Finding } from '../../findings/index.ts';
import { oriented } from '../flow-orientation.ts';
import { classify } from '../process-classify.ts';

/** Ports mining pools publish for stratum (plain and TLS), from the pools' own connection pages. */
export const POOL_PORTS: ReadonlySet<number> = new Set([
  3333, 3334, 3357, 4444, 5555, 5588, 6666, 7777, 8008, 9999, 14433, 14444, 20535, 45560, 45700,
]);
/** A miner that ran this recently still explains a pool connection (it may have forked, or retried). */
export const MINER_RECENT_MS = 10 * 60_000;
/** A pool connection this recent is explained by a miner that starts now. */
const POOL_FLOW_RECENT_MS = 60_000;
const MAX_JUDGED_FLOWS = 4096;

const STRATUM_METHOD =
  /"method"\s*:\s*"(mining\.(subscribe|authorize|submit|configure|extranonce\.subscribe)|eth_submitLogin|eth_getWork|eth_submitWork|eth_submitHashrate)"/;
/** XMRig / Monero stratum: `{"id":1,"jsonrpc":"2.0","method":"login","params":{"login":"<wallet>"…`. */
const MONERO_LOGIN = /"method"\s*:\s*"login"\s*,\s*"params"\s*:\s*\{\s*"login"\s*:/;

export function isStratum(payload: string): boolean {
  return payload.trimStart().startsWith('{') && (STRATUM_METHOD.test(payload) || MONERO_LOGIN.test(payload));
}

interface Container {
  minerAt: number;
  miner: ProcessInfo | null;
  poolFlows: { at: number; flow: FlowRecord }[];
}

export interface MiningState {
  containers: Map<string, Container>;
  /** Flows whose first payload was already judged. */
  judged: BoundedMap<string, true>;
}

function entry(state: MiningState, id: string): Container {
  let c = state.containers.get(id);
  if (!c) state.containers.set(id, (c = { minerAt: -Infinity, miner: null, poolFlows: [] }));
  return c;
}

function poolFinding(container: ContainerRef, flow: FlowRecord, miner: ProcessInfo, at: number): Finding {
  return {
    rule: 'crypto_mining',
    container,
    key: `pool:${flow.dst.ip}:${flow.dst.port ?? '-'}`,
    summary: `${who(container)} connected to ${destination(flow.dst, flow.protocol)}, a mining-pool port, after running the miner-like ${quoted(miner.argv)}`,
    details: flowDetails(flow),
    at,
  };
}

function onFlow(state: MiningState, flow: FlowRecord, at: number, beginning: boolean): Finding[] {
  const container = flow.src.container;
  if (flow.src.kind !== 'container' || !container) return [];
  const findings: Finding[] = [];
  if (flow.firstPayload !== undefined && !state.judged.has(flow.id)) {
    // Bounded by its own structure: a Set's delete-the-first costs a walk over the holes its
    // deletes leave (~1 µs a flow at 4 096, core/bounded-map.ts), and this set is always full.
    state.judged.set(flow.id, true);
    if (isStratum(flow.firstPayload)) {
      findings.push({
        rule: 'crypto_mining',
        container,
        key: `stratum:${flow.dst.ip}:${flow.dst.port ?? '-'}`,
        summary: `${who(container)} spoke the stratum mining protocol to ${destination(flow.dst, flow.protocol)}: a cryptocurrency miner`,
        details: flowDetails(flow),
        at,
      });
      return findings;
    }
  }
  if (!beginning || flow.dst.kind !== 'external' || flow.dst.port === null || !POOL_PORTS.has(flow.dst.port))
    return findings;
  const c = entry(state, container.id);
  c.poolFlows = c.poolFlows.filter((p) => at - p.at <= POOL_FLOW_RECENT_MS).slice(-31);
  c.poolFlows.push({ at, flow });
  if (c.miner && at - c.minerAt <= MINER_RECENT_MS) findings.push(poolFinding(container, flow, c.miner, at));
  return findings;
}

function onExec(state: MiningState, container: ContainerRef, p: ProcessInfo, at: number): Finding[] {
  if (classify(p)?.kind !== 'miner') return [];
  const c = entry(state, container.id);
  c.minerAt = at;
  c.miner = p;
  const recent = c.poolFlows.filter((f) => at - f.at <= POOL_FLOW_RECENT_MS);
  const last = recent.at(-1);
  if (!last) return [];
  const finding = poolFinding(container, last.flow, p, at);
  return [{ ...finding, details: processDetails(p) }];
}

export const miningDetector: Detector<MiningState> = {
  name: 'mining',
  initialState: () => ({ containers: new Map(), judged: new BoundedMap<string, true>(MAX_JUDGED_FLOWS) }),
  step(state: MiningState, event: ShipwatchEvent): StepResult<MiningState> {
    switch (event.kind) {
      case 'flow.start':
      case 'flow.update':
      case 'flow.end':
        return { state, findings: onFlow(state, oriented(event.flow), event.at, event.kind === 'flow.start') };
      case 'process.exec':
        return { state, findings: onExec(state, event.container, event.process, event.at) };
      case 'container.removed':
        state.containers.delete(event.container.id);
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
