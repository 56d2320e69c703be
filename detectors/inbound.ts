// What counts as a connection from outside into a container, for learning the ports a workload
// serves (baseline `inbound`) and for unexpected_inbound. Only a connection the outside began: a
// TCP flow seen from its handshake (its first packet a SYN, or a SYN-ACK the flow table turned
// round), or UDP to a port below Linux's ephemeral range (a reply to the container's own query has
// the container as its source, and one caught mid-exchange goes to an ephemeral port). A TCP flow
// already open when capture began proves nothing about who listened: it is left alone.
import type { FlowRecord } from '../collector/events.ts';

/** Linux's default ip_local_port_range starts here. */
const EPHEMERAL_FROM = 32768;

export function isInboundConnection(flow: FlowRecord): boolean {
  if (flow.src.kind !== 'external' || flow.dst.kind !== 'container' || flow.dst.port === null) return false;
  if (flow.protocol === 'tcp') return flow.tcpFlags.includes('S');
  return flow.protocol === 'udp' && flow.dst.port < EPHEMERAL_FROM;
}
