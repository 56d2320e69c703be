// DNS responses seen on a bridge → (name, addresses), so flows and alerts can say
// `exfil.shipwatch.test` instead of an address. Parsing is dns-packet's (well kept, handles name
// compression); it throws on hostile input, so every call is guarded and a failure is a value.
// Names learned here live in a bounded, expiring cache that fills Endpoint.name.
import { decode } from 'dns-packet';
import { isIP } from 'node:net';

export interface DnsAnswer {
  name: string;
  addresses: string[];
}

/** The question name and the A/AAAA addresses a DNS response carries (following CNAMEs); null if none or unparsable. */
export function parseDnsResponse(payload: Buffer): DnsAnswer | null | 'malformed' {
  let packet: ReturnType<typeof decode>;
  try {
    packet = decode(payload);
  } catch {
    return 'malformed';
  }
  if (packet.type !== 'response') return null;
  const question = packet.questions?.[0]?.name;
  const addresses: string[] = [];
  for (const answer of packet.answers ?? []) {
    if (answer.type !== 'A' && answer.type !== 'AAAA') continue;
    // dns-packet does not bounds-check rdata: a cut-off A record decodes as "203.0.undefined.undefined".
    if (typeof answer.data !== 'string' || isIP(answer.data) === 0) return 'malformed';
    addresses.push(answer.data);
  }
  if (!question || addresses.length === 0) return null;
  return { name: question.toLowerCase(), addresses };
}

const MAX_NAMES = 10_000;
/** Without a TTL we trust: answers are remembered an hour, the longest common TTL of CDN-ish names. */
const NAME_TTL_MS = 60 * 60_000;

/** address → most recent name that resolved to it; bounded (oldest out first) and expiring. */
export class DnsNames {
  readonly #names = new Map<string, { name: string; at: number }>();

  remember(answer: DnsAnswer, at: number): void {
    for (const address of answer.addresses) {
      this.#names.delete(address);
      this.#names.set(address, { name: answer.name, at });
      if (this.#names.size > MAX_NAMES) {
        const oldest = this.#names.keys().next().value;
        if (oldest !== undefined) this.#names.delete(oldest);
      }
    }
  }

  nameOf(address: string, now: number): string | null {
    const entry = this.#names.get(address);
    if (!entry) return null;
    if (now - entry.at > NAME_TTL_MS) {
      this.#names.delete(address);
      return null;
    }
    return entry.name;
  }
}
