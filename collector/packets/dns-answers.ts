// DNS messages seen on a bridge → (name, addresses), so flows and alerts can say
// `exfil.shipwatch.test` instead of an address. Parsing is dns-packet's (well kept, handles name
// compression); it throws on hostile input, so every call is guarded and a failure is a value.
// Names learned here live in a bounded, expiring cache that fills Endpoint.name; each name is
// kept for the client that asked (a container cannot rename what its neighbours talk to), and only
// once dns-trust.ts has matched the answer to a query of that client to a resolver it trusts.
import { decode } from 'dns-packet';
import { isIP } from 'node:net';
import { BoundedMap } from '../../core/bounded-map.ts';

export interface DnsAnswer {
  name: string;
  addresses: string[];
}

export interface DnsMessage {
  type: 'query' | 'response';
  id: number;
  /** The first question's name, lower case; '' when there is none. */
  name: string;
  /** A/AAAA addresses of a response (through CNAMEs); empty for a query. */
  addresses: string[];
}

/** A query or response header with its question and addresses; 'malformed' when it does not parse. */
export function parseDnsMessage(payload: Buffer): DnsMessage | 'malformed' {
  let packet: ReturnType<typeof decode>;
  try {
    packet = decode(payload);
  } catch {
    return 'malformed';
  }
  const addresses: string[] = [];
  if (packet.type === 'response') {
    for (const answer of packet.answers ?? []) {
      if (answer.type !== 'A' && answer.type !== 'AAAA') continue;
      // dns-packet does not bounds-check rdata: a cut-off A record decodes as "203.0.undefined.undefined".
      if (typeof answer.data !== 'string' || isIP(answer.data) === 0) return 'malformed';
      addresses.push(answer.data);
    }
  }
  const name = packet.questions?.[0]?.name;
  return {
    type: packet.type === 'response' ? 'response' : 'query',
    id: packet.id ?? 0,
    name: typeof name === 'string' ? name.toLowerCase() : '',
    addresses,
  };
}

/** The question name and the A/AAAA addresses a DNS response carries (following CNAMEs); null if none or unparsable. */
export function parseDnsResponse(payload: Buffer): DnsAnswer | null | 'malformed' {
  const message = parseDnsMessage(payload);
  if (message === 'malformed') return message;
  if (message.type !== 'response' || !message.name || message.addresses.length === 0) return null;
  return { name: message.name, addresses: message.addresses };
}

const MAX_NAMES = 10_000;
/** Without a TTL we trust: answers are remembered an hour, the longest common TTL of CDN-ish names. */
const NAME_TTL_MS = 60 * 60_000;

/** (client, address) → most recent name that client resolved to it; bounded (oldest out first) and expiring. */
export class DnsNames {
  readonly #names = new BoundedMap<string, { name: string; at: number }>(MAX_NAMES);

  /** `client`: the asking container's id (or its address when it is no container). */
  remember(client: string, answer: DnsAnswer, at: number): void {
    for (const address of answer.addresses) {
      const key = `${client}|${address}`;
      this.#names.set(key, { name: answer.name, at });
    }
  }

  /** Drops what `client` learned for these addresses (a contested answer). */
  forget(client: string, addresses: readonly string[]): void {
    for (const address of addresses) this.#names.delete(`${client}|${address}`);
  }

  nameOf(client: string, address: string, now: number): string | null {
    const key = `${client}|${address}`;
    const entry = this.#names.get(key);
    if (!entry) return null;
    if (now - entry.at > NAME_TTL_MS) {
      this.#names.delete(key);
      return null;
    }
    return entry.name;
  }
}
