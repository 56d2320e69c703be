// When a flow is worth reporting between its start and its end, beyond the established update
// and the periodic one: once it has moved another VOLUME_UPDATE_BYTES (so a 64 MB upload is seen
// while it runs, not a minute later), and when its first payload arrives (so a detector can read
// an application protocol's opening line, e.g. a miner's stratum login, that the snaplen keeps).
// The table checks both per packet (FlowTable#account); these are the measures.
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
