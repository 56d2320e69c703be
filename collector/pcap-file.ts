// Reader for capture files: classic pcap (both byte orders, micro- and nanosecond) and pcapng
// (sections of either byte order, several interfaces, if_tsresol, enhanced/simple/obsolete packet
// blocks). Hand-written because `cap` only opens live devices (it calls pcap_create, never
// pcap_open_offline) and no pcap reader is installed. Streams the file through one window buffer,
// so a large capture costs no more memory than a small one; a packet is an offset into that
// window, valid until the next packet (no Buffer view per packet: at 10⁶ packets/s that
// allocation and its GC cost more than decoding, bench/README.md). A file that is not a capture
// fails at open with PcapFileError; damage further in (a cut-off record, an absurd length) ends
// the read and is reported in `damaged`, never thrown.
import { closeSync, openSync, readSync } from 'node:fs';
import { ByteWindow } from './byte-window.ts';

export class PcapFileError extends Error {}

/** One reused record per reader: copy what you keep before the next packet. */
export class FilePacket {
  /** The reader's window; the frame is buf[offset, offset + caplen). */
  buf: Buffer;
  offset = 0;
  caplen = 0;
  linkType: number;
  /** Epoch milliseconds. */
  at = 0;

  constructor(buf: Buffer, linkType: number) {
    this.buf = buf;
    this.linkType = linkType;
  }

  /** The frame as a view of its own; allocates, so hot loops pass buf and offset instead. */
  get data(): Buffer {
    return this.buf.subarray(this.offset, this.offset + this.caplen);
  }
}

/** Largest record accepted: far above any real snaplen (262144), low enough to catch garbage lengths. */
const MAX_RECORD = 1 << 20;

export class CaptureFile {
  readonly format: 'pcap' | 'pcapng';
  /** Why reading stopped early, when it did (truncated or corrupt record). */
  damaged: string | null = null;
  readonly #window: ByteWindow;
  readonly #fd: number;

  constructor(path: string) {
    try {
      this.#fd = openSync(path, 'r');
    } catch (error) {
      throw new PcapFileError(`${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    this.#window = new ByteWindow((buf, offset, length) => readSync(this.#fd, buf, offset, length, null));
    const w = this.#window;
    if (!w.ensure(4)) throw new PcapFileError(`${path}: not a capture file (too short)`);
    const magic = w.buf.readUInt32LE(w.start);
    if (magic === 0x0a0d0d0a) this.format = 'pcapng';
    else if ([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1].includes(magic)) this.format = 'pcap';
    else {
      this.close();
      throw new PcapFileError(`${path}: not a pcap or pcapng capture`);
    }
  }

  *packets(): Generator<FilePacket> {
    try {
      yield* this.format === 'pcap' ? this.#pcap() : this.#pcapng();
    } finally {
      this.close();
    }
  }

  close(): void {
    try {
      closeSync(this.#fd);
    } catch {
      // already closed
    }
  }

  *#pcap(): Generator<FilePacket> {
    const w = this.#window;
    if (!w.ensure(24)) return void (this.damaged = 'truncated file header');
    const magic = w.buf.readUInt32LE(w.start);
    const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
    const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
    const u32 = (at: number) => (le ? w.buf.readUInt32LE(at) : w.buf.readUInt32BE(at));
    // The upper bits of the link-type field may carry FCS information (pcap-savefile(5)).
    const linkType = u32(w.start + 20) & 0x0fffffff;
    w.consume(24);
    const packet = new FilePacket(w.buf, linkType);
    for (;;) {
      if (!w.ensure(16)) {
        if (w.available > 0) this.damaged = 'truncated record header';
        return;
      }
      const seconds = u32(w.start);
      const fraction = u32(w.start + 4);
      const caplen = u32(w.start + 8);
      if (caplen > MAX_RECORD) return void (this.damaged = `record length ${caplen} is not plausible`);
      if (!w.ensure(16 + caplen)) return void (this.damaged = 'truncated record');
      packet.buf = w.buf;
      packet.offset = w.start + 16;
      packet.caplen = caplen;
      packet.at = seconds * 1000 + (nano ? fraction / 1e6 : fraction / 1e3);
      w.consume(16 + caplen);
      yield packet;
    }
  }

  *#pcapng(): Generator<FilePacket> {
    const w = this.#window;
    let le = true;
    let interfaces: { linkType: number; unitsPerMs: number; snaplen: number }[] = [];
    const packet = new FilePacket(w.buf, 0);
    for (;;) {
      if (!w.ensure(12)) {
        if (w.available > 0) this.damaged = 'truncated block header';
        return;
      }
      const type = w.buf.readUInt32LE(w.start);
      if (type === 0x0a0d0d0a) {
        // Section header: its byte-order magic decides how everything in the section reads.
        const bom = w.buf.readUInt32LE(w.start + 8);
        if (bom !== 0x1a2b3c4d && bom !== 0x4d3c2b1a) return void (this.damaged = 'bad section byte-order magic');
        le = bom === 0x1a2b3c4d;
        interfaces = [];
      }
      const u32 = (at: number) => (le ? w.buf.readUInt32LE(at) : w.buf.readUInt32BE(at));
      const u16 = (at: number) => (le ? w.buf.readUInt16LE(at) : w.buf.readUInt16BE(at));
      const length = u32(w.start + 4);
      if (length < 12 || length % 4 !== 0 || length > MAX_RECORD) {
        return void (this.damaged = `block length ${length} is not plausible`);
      }
      if (!w.ensure(length)) return void (this.damaged = 'truncated block');
      const body = w.start + 8;
      const bodyEnd = w.start + length - 4;
      const blockType = u32(w.start);
      if (blockType === 1 && bodyEnd - body >= 8) {
        interfaces.push({
          linkType: u16(body),
          snaplen: u32(body + 4),
          unitsPerMs: tsUnitsPerMs(w.buf, body + 8, bodyEnd, le),
        });
      } else if ((blockType === 6 || blockType === 2) && bodyEnd - body >= 20) {
        const ifIndex = blockType === 6 ? u32(body) : u16(body);
        const iface = interfaces[ifIndex];
        const caplen = u32(body + 12);
        if (iface && caplen <= bodyEnd - body - 20) {
          // Split so the high word stays exact; rounded to the microsecond, beyond which doubles drift.
          const ms = (u32(body + 4) * 2 ** 32) / iface.unitsPerMs + u32(body + 8) / iface.unitsPerMs;
          packet.buf = w.buf;
          packet.offset = body + 20;
          packet.caplen = caplen;
          packet.linkType = iface.linkType;
          packet.at = Math.round(ms * 1000) / 1000;
          w.consume(length);
          yield packet;
          continue;
        }
      } else if (blockType === 3 && bodyEnd - body >= 4) {
        const iface = interfaces[0];
        if (iface) {
          const origLen = u32(body);
          const caplen = Math.min(origLen, bodyEnd - body - 4, iface.snaplen || MAX_RECORD);
          packet.buf = w.buf;
          packet.offset = body + 4;
          packet.caplen = caplen;
          packet.linkType = iface.linkType;
          packet.at = 0; // simple packet blocks carry no timestamp
          w.consume(length);
          yield packet;
          continue;
        }
      }
      w.consume(length);
    }
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
