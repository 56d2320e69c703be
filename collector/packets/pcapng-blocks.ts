// pcapng: sections of either byte order, several interfaces each with its own link type and
// timestamp resolution (if_tsresol), and enhanced, simple and obsolete packet blocks. Other
// blocks (statistics, name resolution, custom) are skipped.
import type { ByteWindow } from './byte-window.ts';
import { MAX_RECORD, type FilePacket, type RecordReader } from './file-packet.ts';

interface Interface {
  linkType: number;
  unitsPerMs: number;
  snaplen: number;
}

export class PcapngBlocks implements RecordReader {
  damaged: string | null = null;
  readonly #w: ByteWindow;
  #le = true;
  #interfaces: Interface[] = [];

  constructor(window: ByteWindow) {
    this.#w = window;
  }

  next(packet: FilePacket): boolean {
    const w = this.#w;
    for (;;) {
      if (!w.ensure(12)) {
        if (w.available > 0) this.damaged = 'truncated block header';
        return false;
      }
      const type = w.buf.readUInt32LE(w.start);
      if (type === 0x0a0d0d0a) {
        // Section header: its byte-order magic decides how everything in the section reads.
        const bom = w.buf.readUInt32LE(w.start + 8);
        if (bom !== 0x1a2b3c4d && bom !== 0x4d3c2b1a) return this.#damaged('bad section byte-order magic');
        this.#le = bom === 0x1a2b3c4d;
        this.#interfaces = [];
      }
      const length = this.#u32(w.start + 4);
      if (length < 12 || length % 4 !== 0 || length > MAX_RECORD) {
        return this.#damaged(`block length ${length} is not plausible`);
      }
      if (!w.ensure(length)) return this.#damaged('truncated block');
      const body = w.start + 8;
      const bodyEnd = w.start + length - 4;
      const blockType = this.#u32(w.start);
      if (blockType === 1 && bodyEnd - body >= 8) {
        this.#interfaces.push({
          linkType: this.#u16(body),
          snaplen: this.#u32(body + 4),
          unitsPerMs: tsUnitsPerMs(w.buf, body + 8, bodyEnd, this.#le),
        });
      } else if ((blockType === 6 || blockType === 2) && bodyEnd - body >= 20) {
        const iface = this.#interfaces[blockType === 6 ? this.#u32(body) : this.#u16(body)];
        const caplen = this.#u32(body + 12);
        if (iface && caplen <= bodyEnd - body - 20) {
          // Split so the high word stays exact; rounded to the microsecond, beyond which doubles drift.
          const ms = (this.#u32(body + 4) * 2 ** 32) / iface.unitsPerMs + this.#u32(body + 8) / iface.unitsPerMs;
          return this.#packet(packet, body + 20, caplen, iface, Math.round(ms * 1000) / 1000, length);
        }
      } else if (blockType === 3 && bodyEnd - body >= 4) {
        const iface = this.#interfaces[0];
        if (iface) {
          const caplen = Math.min(this.#u32(body), bodyEnd - body - 4, iface.snaplen || MAX_RECORD);
          // Simple packet blocks carry no timestamp.
          return this.#packet(packet, body + 4, caplen, iface, 0, length);
        }
      }
      w.consume(length);
    }
  }

  #packet(packet: FilePacket, offset: number, caplen: number, iface: Interface, at: number, length: number): true {
    packet.buf = this.#w.buf;
    packet.offset = offset;
    packet.caplen = caplen;
    packet.linkType = iface.linkType;
    packet.at = at;
    this.#w.consume(length);
    return true;
  }

  #u32(at: number): number {
    return this.#le ? this.#w.buf.readUInt32LE(at) : this.#w.buf.readUInt32BE(at);
  }

  #u16(at: number): number {
    return this.#le ? this.#w.buf.readUInt16LE(at) : this.#w.buf.readUInt16BE(at);
  }

  #damaged(why: string): false {
    this.damaged = why;
    return false;
  }
}

/** Timestamp units per millisecond from an interface block's options (if_tsresol, code 9); default microseconds. */
function tsUnitsPerMs(buf: Buffer, at: number, end: number, le: boolean): number {
  while (at + 4 <= end) {
    const code = le ? buf.readUInt16LE(at) : buf.readUInt16BE(at);
    const length = le ? buf.readUInt16LE(at + 2) : buf.readUInt16BE(at + 2);
    if (code === 0) break;
    if (code === 9 && length >= 1 && at + 5 <= end) {
      const value = buf[at + 4]!;
      const perSecond = value & 0x80 ? 2 ** (value & 0x7f) : 10 ** value;
      return perSecond / 1000;
    }
    at += 4 + Math.ceil(length / 4) * 4;
  }
  return 1000;
}
