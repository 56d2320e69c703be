// Recognises one flow routed between two Docker bridges, seen once on each.
//
// Docker MASQUERADEs traffic leaving a user-defined bridge, so a packet from container a (net A)
// to container b (net B) shows up twice with different 5-tuples:
//   on A's bridge:  a_ip:sport     → b_ip:dport   (dst is a container that is NOT on A)
//   on B's bridge:  gwB_ip:sport'  → b_ip:dport   (src is B's gateway, dst a container on B)
// The destination (address, port, protocol) survives the NAT; the source port usually does too
// (MASQUERADE keeps it unless it collides). So both sightings are matched on (protocol, dst ip,
// dst port), preferring an equal source port, and only within a short window: forwarding between
// bridges takes microseconds, the window only absorbs the two captures' callbacks arriving in
// either order. Unmatched sightings expire with the window.

export const ROUTED_WINDOW_MS = 2000;
const MAX_CANDIDATES_PER_KEY = 16;

export type Side = 'egress' | 'ingress';

/**
 * Which sighting of a routed flow a new flow may be: on the source's bridge the destination is a
 * container not on it ('egress'); on the destination's, the source is its gateway ('ingress').
 */
export function routedSide(src: { kind: string }, dst: { kind: string; local: boolean }): Side | null {
  if (dst.kind === 'container' && !dst.local) return 'egress';
  return src.kind === 'host' && dst.kind === 'container' ? 'ingress' : null;
}

interface Candidate<T> {
  side: Side;
  network: string;
  srcPort: number;
  at: number;
  value: T;
}

export class RoutedFlowMatcher<T> {
  readonly #candidates = new Map<string, Candidate<T>[]>();

  static key(protocol: number, dstIp: string, dstPort: number): string {
    return `${protocol}|${dstIp}|${dstPort}`;
  }

  /** Takes (and forgets) the best earlier sighting of the other side on another network, if any. */
  take(key: string, side: Side, network: string, srcPort: number, at: number): T | null {
    const list = this.#candidates.get(key);
    if (!list) return null;
    let best: Candidate<T> | null = null;
    for (const candidate of list) {
      if (candidate.side === side || candidate.network === network) continue;
      if (Math.abs(at - candidate.at) > ROUTED_WINDOW_MS) continue;
      if (!best || better(candidate, best, srcPort)) best = candidate;
    }
    if (!best) return null;
    list.splice(list.indexOf(best), 1);
    if (list.length === 0) this.#candidates.delete(key);
    return best.value;
  }

  /** Remembers a sighting for the other side to find. */
  offer(key: string, side: Side, network: string, srcPort: number, at: number, value: T): void {
    const list = this.#candidates.get(key) ?? [];
    list.push({ side, network, srcPort, at, value });
    if (list.length > MAX_CANDIDATES_PER_KEY) list.shift();
    this.#candidates.set(key, list);
  }

  /** Drops sightings older than the window. */
  expire(now: number): void {
    for (const [key, list] of this.#candidates) {
      const kept = list.filter((c) => now - c.at <= ROUTED_WINDOW_MS);
      if (kept.length) this.#candidates.set(key, kept);
      else this.#candidates.delete(key);
    }
  }

  get size(): number {
    return this.#candidates.size;
  }
}

/** An equal source port wins (MASQUERADE kept it); otherwise the most recent sighting. */
function better<T>(a: Candidate<T>, b: Candidate<T>, srcPort: number): boolean {
  const aPort = a.srcPort === srcPort;
  const bPort = b.srcPort === srcPort;
  if (aPort !== bPort) return aPort;
  return a.at > b.at;
}
