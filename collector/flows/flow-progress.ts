// When a flow is worth reporting between its start and its end, beyond the established update
// and the periodic one: once it has moved another VOLUME_UPDATE_BYTES (so a 64 MB upload is seen
// while it runs, not a minute later), and when its first payload arrives (so a detector can read
// an application protocol's opening line, e.g. a miner's stratum login, that the snaplen keeps).
import type { FlowEntry } from './flow-entry.ts';
import type { PacketMeta } from '../packets/index.ts';

/** Bytes (both directions) a flow moves between two volume-driven updates. */
export const VOLUME_UPDATE_BYTES = 4 * 1024 * 1024;
/** Payload bytes kept from the first packet that carries any: an opening line, not content. */
export const FIRST_PAYLOAD_BYTES = 128;

/** The first bytes of the packet's transport payload as latin1 text, or null when it has none. */
export function payloadHead(buf: Buffer, meta: PacketMeta): string | null {
  if (meta.payloadLength <= 0 || meta.fragment) return null;
  const end = meta.payloadOffset + Math.min(meta.payloadLength, FIRST_PAYLOAD_BYTES);
  return buf.toString('latin1', meta.payloadOffset, end);
}

/**
 * Notes the packet just counted on `entry`: keeps its payload's head when it is the flow's first;
 * true when an update is due (a first payload after the flow.start, or the next volume step).
 */
export function progress(entry: FlowEntry, meta: PacketMeta, buf: Buffer, fresh: boolean): boolean {
  const flow = entry.flow;
  let due = flow.bytesOut + flow.bytesIn - entry.bytesAtUpdate >= VOLUME_UPDATE_BYTES;
  if (flow.firstPayload === undefined && meta.payloadLength > 0) {
    const head = payloadHead(buf, meta);
    if (head !== null) {
      flow.firstPayload = head;
      due ||= !fresh;
    }
  }
  return due;
}
