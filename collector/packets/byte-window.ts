// A sliding window over a byte stream read in large chunks: callers ask for `n` bytes at `start`,
// look at them in place (no copy per record) and consume them. Bytes handed out stay valid until
// the next ensure().

const CHUNK = 1 << 20;

export class ByteWindow {
  buf = Buffer.allocUnsafe(2 * CHUNK);
  start = 0;
  end = 0;
  #eof = false;
  readonly #read: (buf: Buffer, offset: number, length: number) => number;

  constructor(read: (buf: Buffer, offset: number, length: number) => number) {
    this.#read = read;
  }

  get available(): number {
    return this.end - this.start;
  }

  /** True when `n` bytes are available from `start` (reading more as needed); false at end of stream. */
  ensure(n: number): boolean {
    while (this.end - this.start < n) {
      if (this.#eof) return false;
      if (this.start + n > this.buf.length) this.#compact(n);
      const got = this.#read(this.buf, this.end, this.buf.length - this.end);
      if (got <= 0) this.#eof = true;
      else this.end += got;
    }
    return true;
  }

  consume(n: number): void {
    this.start += n;
  }

  #compact(n: number): void {
    const live = this.end - this.start;
    if (n + CHUNK > this.buf.length) {
      const bigger = Buffer.allocUnsafe(n + CHUNK);
      this.buf.copy(bigger, 0, this.start, this.end);
      this.buf = bigger;
    } else {
      this.buf.copyWithin(0, this.start, this.end);
    }
    this.start = 0;
    this.end = live;
  }
}
