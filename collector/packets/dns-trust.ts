// Which DNS answers may name an address. Anyone on a bridge can send a packet from port 53, and a
// container can ask a nameserver of its own choosing (`nslookup allowed.example 203.0.113.66`):
// believing such an answer would let it rename its exfiltration target to an allowlisted name.
// So an answer counts only when it answers a query this same client was seen sending (same
// client address and port, same server, same transaction id, same question) to a resolver the
// client is really configured with, and only once: a second, different answer to the same query
// (a race to forge) withdraws what the first one taught. Bounded in entries and time.
import { BoundedMap } from '../../core/bounded-map.ts';

/** Long enough for a slow upstream (Docker's embedded DNS gives up after a few seconds), short enough to bound the table. */
const QUERY_TTL_MS = 10_000;
const MAX_QUERIES = 4096;

export type AnswerVerdict =
  | { verdict: 'trusted' }
  /** No matching query: a forged or unsolicited packet. */
  | { verdict: 'unasked' }
  /** A second answer to a query already answered differently: withdraw `withdraw`. */
  | { verdict: 'conflict'; withdraw: string[] };

interface Entry {
  name: string;
  at: number;
  /** Addresses of the first answer, once there was one. */
  answered: string[] | null;
}

export function dnsQueryKey(client: string, clientPort: number, server: string, id: number): string {
  return `${client}|${clientPort}|${server}|${id}`;
}

export class DnsQueries {
  readonly #entries = new BoundedMap<string, Entry>(MAX_QUERIES);

  query(key: string, name: string, at: number): void {
    this.#entries.set(key, { name, at, answered: null });
  }

  answer(key: string, name: string, addresses: readonly string[], at: number): AnswerVerdict {
    const entry = this.#entries.get(key);
    if (!entry || at - entry.at > QUERY_TTL_MS || entry.name !== name) {
      if (entry && at - entry.at > QUERY_TTL_MS) this.#entries.delete(key);
      return { verdict: 'unasked' };
    }
    if (entry.answered === null) {
      entry.answered = [...addresses];
      return { verdict: 'trusted' };
    }
    // A retransmitted identical answer is harmless; a different one means someone raced the resolver.
    const same = entry.answered.length === addresses.length && entry.answered.every((a, i) => a === addresses[i]);
    return same ? { verdict: 'trusted' } : { verdict: 'conflict', withdraw: entry.answered };
  }
}
