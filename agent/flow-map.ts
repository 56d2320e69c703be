// Who talks to whom, for the live page's network map (GET /api/map). The flow table only holds the
// flows open at this instant, and an app's connections are short, so at almost any moment it is
// empty; this keeps per-minute totals of every flow as it starts, updates and ends, aggregated into
// edges between workloads (and from a workload to each external destination), for up to an hour.
// It also notes which edges raised an alert: the detectors decide, this only remembers their word.
import type { Endpoint, FlowRecord, ShipwatchEvent } from '../collector/events.ts';
import type { Alert } from '../alerts/alert.ts';
import { BoundedMap } from '../core/bounded-map.ts';

const MINUTE = 60_000;
/** Minutes of per-edge totals kept: the longest window a page can ask for. */
export const MAX_WINDOW_MINUTES = 60;
/** Flow tuples remembered to find the edge an alert's flow belongs to. */
const MAX_TUPLES = 20_000;
/** Rules whose alert means the edge was outside what the workload learned. */
const UNLEARNED_RULES = new Set(['new_peer', 'unexpected_egress', 'unexpected_inbound']);

export type EdgeKind = 'workload' | 'external' | 'host';

export interface MapEdge {
  id: string;
  /** `w:<workload>`, `host`, or `x:<ip>` for an external source (inbound). */
  source: string;
  target: string;
  kind: EdgeKind;
  protocol: string;
  port: number | null;
  /** The external (or host) end: its address and the DNS name it was resolved from. */
  remote: { ip: string; name: string | null } | null;
  bytes: number;
  packets: number;
  flows: number;
  firstSeen: string;
  lastSeen: string;
  networks: string[];
  crossSegment: boolean;
  unlearned: boolean;
  /** Alerts raised by this edge's flows, by rule. */
  alerts: Record<string, number>;
}

interface EdgeState {
  id: string;
  source: string;
  target: string;
  kind: EdgeKind;
  protocol: string;
  port: number | null;
  remote: { ip: string; name: string | null } | null;
  /** minute number → totals in that minute. */
  minutes: Map<number, { bytes: number; packets: number; flows: number }>;
  firstSeen: number;
  lastSeen: number;
  networks: Set<string>;
  alerts: Map<string, number>;
  alertSeen: number;
}

const nodeOf = (end: Endpoint): string =>
  end.kind === 'container' && end.container
    ? `w:${end.container.workload}`
    : end.kind === 'host'
      ? 'host'
      : `x:${end.ip}`;

// The text `tcp 1.2.3.4:80 5.6.7.8:` (a null port is empty), built by join: a template literal
// builds a rope of cons strings, which the map keeps for each of its 40 000 keys (about 6 MiB).
const tupleKey = (protocol: string, a: { ip: string; port: number | null }, b: { ip: string; port: number | null }) =>
  [protocol, ' ', a.ip, ':', a.port, ' ', b.ip, ':', b.port].join('');

/**
 * What the map keeps of an open flow: its edge, what it counted, and of each end only what
 * decides its node (kind and container ref), not the event's endpoint copies (two objects a flow,
 * ~11 MiB at 100 000 open flows).
 */
interface CountedFlow {
  edge: EdgeState;
  srcKind: Endpoint['kind'];
  srcContainer: Endpoint['container'];
  dstKind: Endpoint['kind'];
  dstContainer: Endpoint['container'];
  bytes: number;
  packets: number;
}

/** Whether the flow's ends still read as the same map nodes: same kinds and the same container records' refs. */
const sameEnds = (counted: CountedFlow, flow: FlowRecord): boolean =>
  counted.srcKind === flow.src.kind &&
  counted.srcContainer === flow.src.container &&
  counted.dstKind === flow.dst.kind &&
  counted.dstContainer === flow.dst.container;

export class FlowMap {
  readonly #edges = new Map<string, EdgeState>();
  /** flow id → the edge it counts into, the ends it was attributed to then, and what of it was counted already. */
  readonly #flows = new Map<string, CountedFlow>();
  /** flow tuple (as the flow record has it) → edge id, most recent last. */
  readonly #tuples = new BoundedMap<string, string>(MAX_TUPLES);
  readonly #clock: () => number;

  constructor(clock: () => number = Date.now) {
    this.#clock = clock;
  }

  readonly onEvent = (event: ShipwatchEvent): void => {
    if (event.kind !== 'flow.start' && event.kind !== 'flow.update' && event.kind !== 'flow.end') return;
    const flow = event.flow;
    // A start is a flow not seen before (its id holds its first packet's time): nothing to look up.
    const counted = event.kind === 'flow.start' ? undefined : this.#flows.get(flow.id);
    // A flow's protocol, addresses and ports never change, so its edge does only when an end is
    // attributed anew (a routed flow's update may re-attribute its source; container refs are
    // shared per inventory record, see flow-attribution.ts): from there on it counts into that edge.
    const edge = counted && sameEnds(counted, flow) ? counted.edge : this.#edgeFor(flow);
    const fresh = !counted || counted.edge !== edge;
    const bytes = flow.bytesOut + flow.bytesIn;
    const packets = flow.packetsOut + flow.packetsIn;
    const bucket = this.#bucket(edge, flow.lastSeen || event.at);
    bucket.bytes += Math.max(0, bytes - (counted?.bytes ?? 0));
    bucket.packets += Math.max(0, packets - (counted?.packets ?? 0));
    if (fresh) bucket.flows++;
    for (const network of flow.networks) edge.networks.add(network);
    edge.lastSeen = Math.max(edge.lastSeen, flow.lastSeen || event.at);
    if (event.kind === 'flow.end') this.#flows.delete(flow.id);
    else {
      this.#flows.set(flow.id, {
        edge,
        srcKind: flow.src.kind,
        srcContainer: flow.src.container,
        dstKind: flow.dst.kind,
        dstContainer: flow.dst.container,
        bytes,
        packets,
      });
    }
    // One direction (noteAlert looks up both), written when the flow gets its edge and refreshed by
    // its updates, so a long flow is not pushed out by 20 000 newer ones; an end leaves it as it is.
    if (fresh || event.kind === 'flow.update') this.#tuples.set(tupleKey(flow.protocol, flow.src, flow.dst), edge.id);
  };

  /** Marks the edge an alert's flow belongs to (alerts without a flow, or of unseen flows, mark nothing). */
  noteAlert(alert: Alert): void {
    const flow = 'flow' in alert.details ? alert.details.flow : undefined;
    if (!flow) return;
    const id =
      this.#tuples.get(tupleKey(flow.protocol, flow.src, flow.dst)) ??
      this.#tuples.get(tupleKey(flow.protocol, flow.dst, flow.src));
    const edge = id ? this.#edges.get(id) : undefined;
    if (!edge) return;
    edge.alerts.set(alert.rule, (edge.alerts.get(alert.rule) ?? 0) + 1);
    edge.alertSeen = this.#clock();
  }

  /** Edges with traffic (or an alert) in the last `minutes`, totals summed over that window. */
  edges(minutes: number): MapEdge[] {
    const now = this.#clock();
    this.#prune(now);
    const from = Math.floor(now / MINUTE) - Math.max(1, Math.min(MAX_WINDOW_MINUTES, minutes)) + 1;
    const result: MapEdge[] = [];
    for (const edge of this.#edges.values()) {
      const total = { bytes: 0, packets: 0, flows: 0 };
      for (const [minute, t] of edge.minutes) {
        if (minute < from) continue;
        total.bytes += t.bytes;
        total.packets += t.packets;
        total.flows += t.flows;
      }
      if (total.flows === 0 && total.packets === 0 && edge.alertSeen < from * MINUTE) continue;
      const alerts = Object.fromEntries(edge.alerts);
      result.push({
        id: edge.id,
        source: edge.source,
        target: edge.target,
        kind: edge.kind,
        protocol: edge.protocol,
        port: edge.port,
        remote: edge.remote,
        ...total,
        firstSeen: new Date(edge.firstSeen).toISOString(),
        lastSeen: new Date(edge.lastSeen).toISOString(),
        networks: [...edge.networks],
        crossSegment: edge.networks.size > 1 || edge.alerts.has('cross_segment_traffic'),
        unlearned: [...edge.alerts.keys()].some((rule) => UNLEARNED_RULES.has(rule)),
        alerts,
      });
    }
    return result.sort((a, b) => a.id.localeCompare(b.id));
  }

  #edgeFor(flow: FlowRecord): EdgeState {
    const source = nodeOf(flow.src);
    const target = nodeOf(flow.dst);
    const kind: EdgeKind =
      flow.src.kind === 'external' || flow.dst.kind === 'external'
        ? 'external'
        : flow.src.kind === 'host' || flow.dst.kind === 'host'
          ? 'host'
          : 'workload';
    const id = `${source}|${target}|${flow.protocol}|${flow.dst.port ?? ''}`;
    const existing = this.#edges.get(id);
    if (existing) return existing;
    const remoteEnd = flow.dst.kind !== 'container' ? flow.dst : flow.src.kind !== 'container' ? flow.src : null;
    const at = flow.firstSeen || this.#clock();
    const edge: EdgeState = {
      id,
      source,
      target,
      kind,
      protocol: flow.protocol,
      port: flow.dst.port,
      remote: remoteEnd ? { ip: remoteEnd.ip, name: remoteEnd.name } : null,
      minutes: new Map(),
      firstSeen: at,
      lastSeen: at,
      networks: new Set(),
      alerts: new Map(),
      alertSeen: 0,
    };
    this.#edges.set(id, edge);
    return edge;
  }

  #bucket(edge: EdgeState, at: number) {
    const minute = Math.floor(at / MINUTE);
    let bucket = edge.minutes.get(minute);
    if (!bucket) {
      bucket = { bytes: 0, packets: 0, flows: 0 };
      edge.minutes.set(minute, bucket);
    }
    return bucket;
  }

  /** Forgets minutes older than the longest window, and edges left with nothing in it. */
  #prune(now: number): void {
    const oldest = Math.floor(now / MINUTE) - MAX_WINDOW_MINUTES;
    const open = new Set([...this.#flows.values()].map((f) => f.edge.id));
    for (const [id, edge] of this.#edges) {
      for (const minute of edge.minutes.keys()) if (minute <= oldest) edge.minutes.delete(minute);
      if (edge.minutes.size === 0 && !open.has(id) && edge.alertSeen <= oldest * MINUTE) this.#edges.delete(id);
    }
  }
}
