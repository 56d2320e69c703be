// Dotted-quad text → number, for per-flow subnet checks: node's BlockList.check builds a
// SocketAddress (a native object) on every call, which cost more than the rest of a flow's start
// in bench/decode.ts.

/**
 * The address as an unsigned 32-bit number, or -1 for anything node's isIPv4 rejects (so callers
 * can fall back to it): four decimal parts 0–255, no sign, no leading zeros, nothing else.
 */
export function parseIpv4(text: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1; // a leading zero
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
      digits++;
    } else {
      return -1;
    }
  }
  if (digits === 0 || dots !== 3) return -1;
  return value * 256 + part;
}

/** The mask of a prefix length (0–32) as an unsigned number. */
export function prefixMask(bits: number): number {
  return bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
}
