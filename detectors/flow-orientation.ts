// A flow's `src` is the side whose packet was seen first. For a TCP connection that was already
// open when capture started (agent restart, a bridge attached late), that may be the server's
// reply: db:5432 → api:41234. Judged as is, it would read "db connected to api on port 41234",
// a false new_peer after every restart. Without a SYN, the lower port is taken as the server's,
// the way conntrack-less tools (Zeek's history without a SYN, nfdump) guess it too.
import type { FlowRecord } from '../collector/events.ts';

export function oriented(flow: FlowRecord): FlowRecord {
  if (flow.protocol !== 'tcp' || flow.tcpFlags.includes('S')) return flow;
  const { src, dst } = flow;
  if (src.port === null || dst.port === null || src.port >= dst.port) return flow;
  return {
    ...flow,
    src: dst,
    dst: src,
    bytesOut: flow.bytesIn,
    bytesIn: flow.bytesOut,
    packetsOut: flow.packetsIn,
    packetsIn: flow.packetsOut,
  };
}
