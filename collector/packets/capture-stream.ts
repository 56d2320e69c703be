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

  push(chunk: Buffer): void {
    if (this.#broken) return;
    const buf = this.#pending ? Buffer.concat([this.#pending, chunk]) : chunk;
    let at = 0;
    if (!this.#greeted) {
      if (buf.length < 8) return void (this.#pending = buf);
      if (buf.toString('latin1', 0, 4) !== 'SWCP') return this.#corrupt('missing SWCP hello');
      this.#greeted = true;
      this.#h.hello(buf.readUInt32LE(4));
      at = 8;
    }
    while (buf.length - at >= HEADER) {
      const caplen = buf.readUInt32LE(at);
      if (caplen === DROPS) {
        this.#h.dropped(buf.readUInt32LE(at + 4));
        at += HEADER;
        continue;
      }
      if (caplen > 65535) return this.#corrupt(`frame length ${caplen}`);
      if (buf.length - at < HEADER + caplen) break;
      this.#h.packet(buf.subarray(at + HEADER, at + HEADER + caplen), caplen, buf.readDoubleLE(at + 8));
      at += HEADER + caplen;
    }
    // Copy the remainder: the chunk it views may be reused by the stream.
    this.#pending = at < buf.length ? Buffer.from(buf.subarray(at)) : null;
  }

  #corrupt(reason: string): void {
    this.#broken = true;
    this.#pending = null;
    this.#h.corrupt(reason);
  }
}
