// Flow history: every ended flow as one JSON line in `<state_dir>/flows/history*.jsonl`, bounded
// by size (rotation) and age (prune), so "who talked to whom an hour ago" has an answer after the
// live flow table has forgotten the flow and after a restart. Read-only queries work on the files
// alone (`shipwatch flows` while the agent is down).
import path from 'node:path';
import type { Endpoint, FlowRecord } from '../collector/events.ts';
import { isoTime } from '../core/iso-time.ts';
import { readLog, RotatingLog } from './rotating-log.ts';

export interface FlowHistorySettings {
  /** Bytes per file; the log keeps `retain` rotated files besides the active one. */
  readonly max_bytes: number;
  /** ms; ended flows older than this are dropped (by file). */
  readonly max_age: number;
}

export const FLOW_HISTORY_RETAIN = 4;

export interface HistoryEndpoint {
  ip: string;
  port: number | null;
  kind: Endpoint['kind'];
  /** Container id, name and workload when the address was a container's. */
  container: string | null;
  name: string | null;
  workload: string | null;
  /** DNS name the address was resolved from, when a captured answer told us. */
  dns: string | null;
}

export interface EndedFlow {
  /** When it ended (ISO). */
  time: string;
  protocol: FlowRecord['protocol'];
  src: HistoryEndpoint;
  dst: HistoryEndpoint;
  network: string;
  networks: string[];
  bytesOut: number;
  bytesIn: number;
  packetsOut: number;
  packetsIn: number;
  tcpFlags: string;
  /** How it ended: closed (FIN/RST), timeout, evicted (table full). */
  ended: 'closed' | 'timeout' | 'evicted' | 'active';
  firstSeen: string;
  lastSeen: string;
}

export interface FlowHistoryQuery {
  since?: number;
  /** Container id prefix or name, either end. */
  container?: string;
  /** Workload, either end. */
  workload?: string;
  /** Destination IP, DNS name, or container name. */
  dst?: string;
  limit?: number;
}

const endpoint = (e: Endpoint): HistoryEndpoint => ({
  ip: e.ip,
  port: e.port,
  kind: e.kind,
  container: e.container?.id ?? null,
  name: e.container?.name ?? null,
  workload: e.container?.workload ?? (e.kind === 'container' ? null : e.kind),
  dns: e.name,
});

export function endedFlow(flow: FlowRecord, at: number): EndedFlow {
  return {
    time: isoTime(at),
    protocol: flow.protocol,
    src: endpoint(flow.src),
    dst: endpoint(flow.dst),
    network: flow.network,
    networks: flow.networks,
    bytesOut: flow.bytesOut,
    bytesIn: flow.bytesIn,
    packetsOut: flow.packetsOut,
    packetsIn: flow.packetsIn,
    tcpFlags: flow.tcpFlags,
    ended: flow.state === 'new' || flow.state === 'established' ? 'active' : flow.state,
    firstSeen: isoTime(flow.firstSeen),
    lastSeen: isoTime(flow.lastSeen),
  };
}

export const flowHistoryDir = (stateDir: string): string => path.join(stateDir, 'flows');

const isEndedFlow = (value: unknown): value is EndedFlow =>
  typeof value === 'object' && value !== null && typeof (value as EndedFlow).time === 'string' && 'src' in value;

const matchesContainer = (e: HistoryEndpoint, wanted: string) =>
  e.name === wanted || (e.container !== null && wanted.length >= 4 && e.container.startsWith(wanted));

export function matchesFlowQuery(flow: EndedFlow, query: FlowHistoryQuery): boolean {
  if (query.since !== undefined && Date.parse(flow.time) < query.since) return false;
  const { container, workload, dst } = query;
  if (container && !matchesContainer(flow.src, container) && !matchesContainer(flow.dst, container)) return false;
  if (workload && flow.src.workload !== workload && flow.dst.workload !== workload) return false;
  if (dst && flow.dst.ip !== dst && flow.dst.dns !== dst && flow.dst.name !== dst) return false;
  return true;
}

/** Ended flows newest first, from the files alone. */
export function queryFlowHistory(stateDir: string, query: FlowHistoryQuery = {}): EndedFlow[] {
  const all = readLog(flowHistoryDir(stateDir), 'history', FLOW_HISTORY_RETAIN, isEndedFlow);
  const result: EndedFlow[] = [];
  for (let i = all.length - 1; i >= 0; i--) {
    const flow = all[i] as EndedFlow;
    if (!matchesFlowQuery(flow, query)) continue;
    result.push(flow);
    if (query.limit !== undefined && result.length >= query.limit) break;
  }
  return result;
}

export class FlowHistory {
  readonly #log: RotatingLog;
  readonly #stateDir: string;
  #lastPrune = 0;

  constructor(stateDir: string, settings: FlowHistorySettings) {
    this.#stateDir = stateDir;
    this.#log = new RotatingLog({
      dir: flowHistoryDir(stateDir),
      base: 'history',
      maxBytes: settings.max_bytes,
      retain: FLOW_HISTORY_RETAIN,
      maxAge: settings.max_age,
      buffered: true,
    });
    this.#log.prune();
  }

  /** Records one ended flow; prunes by age at most once a minute. */
  record(flow: FlowRecord, at: number, now: number = Date.now()): void {
    this.#log.append(endedFlow(flow, at));
    if (now - this.#lastPrune > 60_000) {
      this.#lastPrune = now;
      this.#log.prune(now);
    }
  }

  query(query: FlowHistoryQuery = {}): EndedFlow[] {
    return queryFlowHistory(this.#stateDir, query);
  }

  diskBytes(): number {
    return this.#log.diskBytes();
  }
}
