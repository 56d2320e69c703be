// Parses the frames bin/shipwatch-capture.js writes on its stdout (see there for the format) as chunks
// arrive, calling back once per packet with a view into the chunk. The chunks are the buffers the
// child's stdout stream delivered, allocated afresh for every read and never written again: a
// view may be held after the call (packet-merge.ts holds them for a few milliseconds).

export interface CaptureStreamHandlers {
  hello(linkType: number): void;
  packet(data: Buffer, caplen: number, at: number): void;
  dropped(count: number): void;
  /** The stream is not what the child writes: stop reading it. */
  corrupt(reason: string): void;
}

const HEADER = 16;
const DROPS = 0xffffffff;

export class CaptureStream {
  readonly #h: CaptureStreamHandlers;
  #pending: Buffer | null = null;
  #greeted = false;
  #broken = false;

  constructor(handlers: CaptureStreamHandlers) {
    this.#h = handlers;
  }

  /**
   * Parses `chunk` (null: only what an earlier call left unparsed). When `stop()`, asked every 64
   * packets, says the caller's turn is over, the rest is kept for the next call and false returned.
   */
  push(chunk: Buffer | null, stop: () => boolean = () => false): boolean {
    if (this.#broken) return true;
    const buf = !chunk ? this.#pending : this.#pending ? Buffer.concat([this.#pending, chunk]) : chunk;
    this.#pending = null;
    if (!buf) return true;
    let at = 0;
    if (!this.#greeted) {
      if (buf.length < 8) {
        this.#pending = buf;
        return true;
      }
      if (buf.toString('latin1', 0, 4) !== 'SWCP') return this.#corrupt('missing SWCP hello');
      this.#greeted = true;
      this.#h.hello(buf.readUInt32LE(4));
      at = 8;
    }
    let done = true;
    // One DataView per chunk: its getters compile to single loads, where Buffer's readDoubleLE
    // copies eight bytes through a scratch array (~10 ns a packet, measured alone).
    const header = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    for (let n = 1; buf.length - at >= HEADER; n++) {
      const caplen = header.getUint32(at, true);
      if (caplen === DROPS) {
        this.#h.dropped(header.getUint32(at + 4, true));
        at += HEADER;
        continue;
      }
      if (caplen > 65535) return this.#corrupt(`frame length ${caplen}`);
      if (buf.length - at < HEADER + caplen) break;
      this.#h.packet(buf.subarray(at + HEADER, at + HEADER + caplen), caplen, header.getFloat64(at + 8, true));
      at += HEADER + caplen;
      if (n % 64 === 0 && buf.length - at >= HEADER && stop()) {
        done = false;
        break;
      }
    }
    // Copy a partial frame's bytes: the chunk it views may be reused by the stream. A remainder
    // left for the next turn is whole frames, viewed in place (packets handed on view it too).
    if (at < buf.length) this.#pending = done ? Buffer.from(buf.subarray(at)) : buf.subarray(at);
    return done;
  }

  #corrupt(reason: string): true {
    this.#broken = true;
    this.#pending = null;
    this.#h.corrupt(reason);
    return true;
  }
}
