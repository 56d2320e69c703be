// The text of an address, one string per address: every new flow names both its ends, and a fresh
// string each time was two per flow kept for the flow's life (100 000 flows between a handful of
// hosts held 200 000 copies: 6 MiB). Bounded: when full it starts over, which costs only the
// strings' making again, never a wrong name.
import { formatAddress } from '../packets/index.ts';
import { addressKey } from './flow-keys.ts';

const MAX_ADDRESSES = 65_536;

export class AddressTexts {
  /** By the flow table's address key: IPv4 as an int32, IPv6 as hex (the two never collide). */
  readonly #texts = new Map<number | string, string>();

  /** formatAddress's text, shared with every earlier caller of the same address. */
  text = (buf: Buffer, offset: number, version: 4 | 6): string => {
    const key = addressKey(buf, offset, version);
    let text = this.#texts.get(key);
    if (text === undefined) {
      if (this.#texts.size >= MAX_ADDRESSES) this.#texts.clear();
      text = formatAddress(buf, offset, version);
      this.#texts.set(key, text);
    }
    return text;
  };
}
