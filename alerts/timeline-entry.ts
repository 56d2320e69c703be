// What a container's timeline records of each event: execs with argv, file changes, flow starts
// and ends with bytes, Docker events; alerts and response actions come from the alert side. One
// switch over the event union, exhaustive, so a new event kind is decided here, on purpose.
import type { ContainerRef, Endpoint, FlowRecord, ShipwatchEvent } from '../collector/events.ts';
import type { Alert } from './alert.ts';

export type TimelineEntry = { at: number; kind: string } & Record<string, unknown>;

const end = (e: Endpoint) => ({ ip: e.ip, port: e.port, container: e.container?.name ?? null, dns: e.name });

const flowEntry = (kind: 'flow.start' | 'flow.end', flow: FlowRecord, at: number): TimelineEntry => ({
  at,
  kind,
  protocol: flow.protocol,
  src: end(flow.src),
  dst: end(flow.dst),
  network: flow.network,
  bytesOut: flow.bytesOut,
  bytesIn: flow.bytesIn,
  packetsOut: flow.packetsOut,
  packetsIn: flow.packetsIn,
  state: flow.state,
});

const flowContainers = (flow: FlowRecord): ContainerRef[] =>
  [flow.src.container, flow.dst.container].filter(
    (ref, i, all): ref is ContainerRef => ref !== null && all.findIndex((r) => r?.id === ref.id) === i,
  );

/** The timeline entries an event makes, each with the container whose timeline it goes to. */
export function timelineEntries(event: ShipwatchEvent): [ContainerRef, TimelineEntry][] {
  const { at } = event;
  switch (event.kind) {
    case 'process.exec': {
      const p = event.process;
      return [[event.container, { at, kind: 'exec', pid: p.pid, ppid: p.ppid, uid: p.uid, exe: p.exe, argv: p.argv }]];
    }
    case 'file.changed':
      return [
        [
          event.container,
          { at, kind: 'file', path: event.path, op: event.op, preexisting: event.preexisting, from: event.from },
        ],
      ];
    case 'flow.start':
    case 'flow.end': {
      const entry = flowEntry(event.kind, event.flow, at);
      return flowContainers(event.flow).map((ref) => [ref, entry]);
    }
    case 'exec.started':
      return [
        [
          event.container,
          { at, kind: 'docker', action: 'exec', argv: event.argv, user: event.user, healthcheck: event.healthcheck },
        ],
      ];
    case 'container.created':
    case 'container.started':
    case 'container.stopped':
    case 'container.removed':
    case 'container.paused':
    case 'container.unpaused':
      return [[event.container, { at, kind: 'docker', action: event.kind.slice('container.'.length) }]];
    case 'network.connected':
    case 'network.disconnected':
      return [
        [event.container, { at, kind: 'docker', action: event.kind.slice('network.'.length), network: event.network }],
      ];
    // Updates of live flows and samples are the metrics' and the flow table's; exits add little.
    case 'flow.update':
    case 'process.exit':
    case 'stats.sample':
    case 'dns.answer':
    case 'network.created':
    case 'network.removed':
    case 'daemon.posture':
      return [];
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}

/** An alert as its container's timeline shows it; response actions are entries of their own. */
export function alertEntry(alert: Alert): TimelineEntry {
  const details = alert.details as { action?: Record<string, unknown> };
  const base = { at: Date.parse(alert.time), id: alert.id, rule: alert.rule, severity: alert.severity };
  if (details.action) return { ...base, kind: 'action', summary: alert.summary, ...details.action };
  return { ...base, kind: 'alert', summary: alert.summary, incident: alert.incident };
}
