// The text of an address, one string per address: every new flow names both its ends, and a fresh
// string each time was two per flow kept for the flow's life (100 000 flows between a handful of
// hosts held 200 000 copies: 6 MiB). Bounded: when full it starts over, which costs only the
// strings' making again, never a wrong name.
import { formatAddress } from '../packets/index.ts';

const MAX_ADDRESSES = 65_536;

export class AddressTexts {
  readonly #v4 = new Map<number, string>();
  readonly #v6 = new Map<string, string>();

  /** formatAddress's text, shared with every earlier caller of the same address. */
  text = (buf: Buffer, offset: number, version: 4 | 6): string => {
    if (version === 4) {
      const key = (buf[offset]! << 24) | (buf[offset + 1]! << 16) | (buf[offset + 2]! << 8) | buf[offset + 3]!;
      let text = this.#v4.get(key);
      if (text === undefined) {
        if (this.#v4.size >= MAX_ADDRESSES) this.#v4.clear();
        text = formatAddress(buf, offset, 4);
        this.#v4.set(key, text);
      }
      return text;
    }
    const key = buf.toString('latin1', offset, offset + 16);
    let text = this.#v6.get(key);
    if (text === undefined) {
      if (this.#v6.size >= MAX_ADDRESSES) this.#v6.clear();
      text = formatAddress(buf, offset, 6);
      this.#v6.set(key, text);
    }
    return text;
  };
}
