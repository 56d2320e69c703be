// Classic pcap (pcap-savefile(5)): a 24-byte file header, then 16-byte record headers, in either
// byte order, with micro- or nanosecond timestamps.
import type { ByteWindow } from './byte-window.ts';
import { MAX_RECORD, type FilePacket, type RecordReader } from './file-packet.ts';

export class PcapRecords implements RecordReader {
  damaged: string | null = null;
  readonly #w: ByteWindow;
  #started = false;
  #le = true;
  #nano = false;
  #linkType = 0;

  constructor(window: ByteWindow) {
    this.#w = window;
  }

  next(packet: FilePacket): boolean {
    const w = this.#w;
    if (!this.#started && !this.#header()) return false;
    if (!w.ensure(16)) {
      if (w.available > 0) this.damaged = 'truncated record header';
      return false;
    }
    const seconds = this.#u32(w.start);
    const fraction = this.#u32(w.start + 4);
    const caplen = this.#u32(w.start + 8);
    if (caplen > MAX_RECORD) return this.#damaged(`record length ${caplen} is not plausible`);
    if (!w.ensure(16 + caplen)) return this.#damaged('truncated record');
    packet.buf = w.buf;
    packet.offset = w.start + 16;
    packet.caplen = caplen;
    packet.linkType = this.#linkType;
    packet.at = seconds * 1000 + (this.#nano ? fraction / 1e6 : fraction / 1e3);
    w.consume(16 + caplen);
    return true;
  }

  #header(): boolean {
    const w = this.#w;
    this.#started = true;
    if (!w.ensure(24)) return this.#damaged('truncated file header');
    const magic = w.buf.readUInt32LE(w.start);
    this.#le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
    this.#nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
    // The upper bits of the link-type field may carry FCS information (pcap-savefile(5)).
    this.#linkType = this.#u32(w.start + 20) & 0x0fffffff;
    w.consume(24);
    return true;
  }

  /** By hand: Buffer's readUInt32LE was not always inlined here, and this runs 3 times a packet. */
  #u32(at: number): number {
    const b = this.#w.buf;
    return this.#le
      ? (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000
      : b[at]! * 0x1000000 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
  }

  #damaged(why: string): false {
    this.damaged = why;
    return false;
  }
}
