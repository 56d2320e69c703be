// What the capture-file readers hand out: one reused record per file, pointing into the reader's
// window rather than holding a copy or a view of its own.

/** Largest record accepted: far above any real snaplen (262144), low enough to catch garbage lengths. */
export const MAX_RECORD = 1 << 20;

/** One reused record per reader: copy what you keep before the next packet. */
export class FilePacket {
  /** The reader's window; the frame is buf[offset, offset + caplen). */
  buf: Buffer;
  offset = 0;
  caplen = 0;
  linkType = 0;
  /** Epoch milliseconds. */
  at = 0;

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  /** The frame as a view of its own; allocates, so hot loops pass buf and offset instead. */
  get data(): Buffer {
    return this.buf.subarray(this.offset, this.offset + this.caplen);
  }
}

/** One capture format, read record by record from a ByteWindow. */
export interface RecordReader {
  /** Fills `packet` with the next packet; false at the end, or at damage (then `damaged` says why). */
  next(packet: FilePacket): boolean;
  readonly damaged: string | null;
}
