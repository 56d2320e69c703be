// The one event union. The collector turns Docker, the bridges, the proc connector and the
// overlay file systems into these; nothing downstream talks to Docker or the kernel. Detectors
// switch on `kind` with an exhaustive `never` default, so a new kind breaks the build exactly
// where it needs handling.
import type { ContainerInfo, DaemonPosture, NetworkInfo } from './inventory-types.ts';

/** The container an event belongs to, as alerts name it. */
export interface ContainerRef {
  id: string;
  name: string;
  image: string;
  workload: string;
  /**
   * Only for a container of another host of the fleet, reached at a port that host publishes:
   * that host's name, and the zone of the container's network there.
   */
  host?: string;
  zone?: string;
}

interface EventBase {
  /** When it happened, epoch milliseconds (kernel, pcap or Docker timestamp where there is one). */
  at: number;
  host: string;
}

interface ContainerEventBase extends EventBase {
  container: ContainerRef;
}

/** One end of a flow, attributed through the inventory. */
export interface Endpoint {
  ip: string;
  port: number | null;
  /** `container`: an address of a container on that network; `host`: the bridge gateway. */
  kind: 'container' | 'host' | 'external';
  container: ContainerRef | null;
  /** DNS name the address was resolved from, when a captured DNS answer told us. */
  name: string | null;
}

export type Protocol = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'other';

export interface FlowRecord {
  /** Stable id of the flow for its lifetime (network + canonical 5-tuple). */
  id: string;
  protocol: Protocol;
  /** The side that sent the first packet seen. */
  src: Endpoint;
  dst: Endpoint;
  /** Docker network (by name) of the bridge it was first seen on. */
  network: string;
  /** Every bridge the flow was seen on; more than one = routed between networks. */
  networks: string[];
  bytesOut: number;
  bytesIn: number;
  packetsOut: number;
  packetsIn: number;
  /** TCP flags seen, as letters (S, A, F, R, P, U). */
  tcpFlags: string;
  state: 'new' | 'established' | 'closed' | 'timeout' | 'evicted';
  /**
   * The first transport payload bytes of the flow (whichever side sent data first), as latin1 text,
   * cut to FIRST_PAYLOAD_BYTES: what the snaplen keeps of an application protocol's opening line.
   */
  firstPayload?: string;
  firstSeen: number;
  lastSeen: number;
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  uid: number;
  /** Executable as the container sees it (/proc/<pid>/exe). */
  exe: string;
  argv: string[];
  /**
   * execve's filename (the kernel's exec trace) when argv is unknown (the process was gone before
   * /proc could be read): for a multi-call binary it names the applet, as argv[0] would.
   */
  invokedAs?: string;
  parentExe: string | null;
  /** Set when the process descends from a `docker exec`. */
  execId: string | null;
  /** The `docker exec` it descends from is the container's healthcheck (not interactive). */
  healthcheck?: boolean;
  /** The executable was created or modified in the container after it started (overlay UpperDir). */
  drift?: boolean;
  /** False when the process was gone before /proc could be read: exe and argv are unknown (''/[]). */
  complete?: boolean;
  /** /proc/<pid>/exe named a file already unlinked (" (deleted)"), or a memfd, at exec time. */
  exeDeleted?: boolean;
  /** Standard input, output or error is an inet socket (read from /proc/<pid>/fd at exec time). */
  stdioSocket?: StdioSocket;
}

/** A network socket a process holds as fd 0, 1 or 2, matched to its connection in /proc/<pid>/net. */
export interface StdioSocket {
  /** Which of 0, 1, 2 are this socket. */
  fds: number[];
  protocol: 'tcp' | 'udp';
  local: { ip: string; port: number };
  /** The peer; null for a socket that is not connected (a listener, an unbound UDP socket). */
  remote: { ip: string; port: number } | null;
}

export type FileOp = 'create' | 'write' | 'delete' | 'rename' | 'chmod';

export interface StatsSample {
  cpuSeconds: number;
  memoryWorkingSetBytes: number;
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
  pids: number;
}

export type ShipwatchEvent =
  | (ContainerEventBase & { kind: 'container.created'; info: ContainerInfo })
  | (ContainerEventBase & { kind: 'container.started'; info: ContainerInfo })
  | (ContainerEventBase & { kind: 'container.stopped'; exitCode: number | null })
  | (ContainerEventBase & { kind: 'container.removed' })
  | (ContainerEventBase & { kind: 'container.paused' })
  | (ContainerEventBase & { kind: 'container.unpaused' })
  | (ContainerEventBase & { kind: 'network.connected'; network: string })
  | (ContainerEventBase & { kind: 'network.disconnected'; network: string })
  | (EventBase & { kind: 'network.created'; network: NetworkInfo })
  | (EventBase & { kind: 'network.removed'; network: NetworkInfo })
  | (ContainerEventBase & {
      kind: 'exec.started';
      execId: string;
      argv: string[];
      user: string;
      tty: boolean;
      /** Docker runs healthchecks through exec too; these are not interactive. */
      healthcheck: boolean;
    })
  | (EventBase & { kind: 'flow.start'; flow: FlowRecord })
  | (EventBase & {
      kind: 'flow.update';
      flow: FlowRecord;
      /**
       * This update is the first to name the flow's real source: a flow routed between two bridges
       * whose destination's sighting was handled before its source's (and began at the gateway).
       * Detectors judge it as they judge a flow.start; see isFlowBeginning.
       */
      sourceFound?: true;
    })
  | (EventBase & { kind: 'flow.end'; flow: FlowRecord })
  | (EventBase & {
      kind: 'dns.answer';
      network: string;
      name: string;
      addresses: string[];
      client: ContainerRef | null;
    })
  | (ContainerEventBase & { kind: 'process.exec'; process: ProcessInfo })
  | (ContainerEventBase & { kind: 'process.exit'; pid: number; exitCode: number | null })
  | (ContainerEventBase & {
      kind: 'file.changed';
      path: string;
      op: FileOp;
      /** True for changes found at attach (`GET /containers/{id}/changes`), made before we watched. */
      preexisting: boolean;
      /** For `rename`: the path it had before. */
      from?: string;
      /** File size after the change (create and write), when the file could still be read. */
      size?: number;
    })
  | (ContainerEventBase & { kind: 'stats.sample'; stats: StatsSample; intervalMs: number })
  | (EventBase & { kind: 'daemon.posture'; posture: DaemonPosture });

export type EventKind = ShipwatchEvent['kind'];
export type EventOf<K extends EventKind> = Extract<ShipwatchEvent, { kind: K }>;

/**
 * The event that shows a flow as it began: its flow.start, or the update that first names a routed
 * flow's real source (packet-merge.ts orders the bridges' packets, so this is the rare late case).
 */
export function isFlowBeginning(event: ShipwatchEvent): event is EventOf<'flow.start'> | EventOf<'flow.update'> {
  return event.kind === 'flow.start' || (event.kind === 'flow.update' && event.sourceFound === true);
}

/**
 * The flow as it may leave the agent (API, live stream): without its first payload bytes, which
 * can hold a request line or a credential and are for the detectors only.
 */
export function withoutPayload(flow: FlowRecord): FlowRecord {
  if (flow.firstPayload === undefined) return flow;
  const { firstPayload: _payload, ...rest } = flow;
  return rest;
}

/** Where an event came from, for shipwatch_events_total{source}. */
export function eventSource(event: ShipwatchEvent): 'docker' | 'packets' | 'processes' | 'files' | 'stats' {
  switch (event.kind) {
    case 'flow.start':
    case 'flow.update':
    case 'flow.end':
    case 'dns.answer':
      return 'packets';
    case 'process.exec':
    case 'process.exit':
      return 'processes';
    case 'file.changed':
      return 'files';
    case 'stats.sample':
      return 'stats';
    case 'container.created':
    case 'container.started':
    case 'container.stopped':
    case 'container.removed':
    case 'container.paused':
    case 'container.unpaused':
    case 'network.connected':
    case 'network.disconnected':
    case 'network.created':
    case 'network.removed':
    case 'exec.started':
    case 'daemon.posture':
      return 'docker';
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}
