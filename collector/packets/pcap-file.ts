// Reader for capture files: classic pcap (pcap-records.ts) and pcapng (pcapng-blocks.ts).
// Hand-written because `cap` only opens live devices (it calls pcap_create, never
// pcap_open_offline) and no pcap reader is installed. Streams the file through one window buffer,
// so a large capture costs no more memory than a small one; a packet is an offset into that
// window, valid until the next packet (no Buffer view per packet: at 10⁶ packets/s that
// allocation and its GC cost more than decoding, bench/README.md). A file that is not a capture
// fails at open with PcapFileError; damage further in (a cut-off record, an absurd length) ends
// the read and is reported in `damaged`, never thrown.
import { closeSync, openSync, readSync } from 'node:fs';
import { ByteWindow } from './byte-window.ts';
import { FilePacket } from './file-packet.ts';
import { PcapRecords } from './pcap-records.ts';
import { PcapngBlocks } from './pcapng-blocks.ts';

export { FilePacket } from './file-packet.ts';

export class PcapFileError extends Error {}

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
    if (!w.ensure(4)) {
      this.close();
      throw new PcapFileError(`${path}: not a capture file (too short)`);
    }
    const magic = w.buf.readUInt32LE(w.start);
    if (magic === 0x0a0d0d0a) this.format = 'pcapng';
    else if ([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1].includes(magic)) this.format = 'pcap';
    else {
      this.close();
      throw new PcapFileError(`${path}: not a pcap or pcapng capture`);
    }
  }

  /**
   * The packets, one reused record; the file is closed at the end or when the loop breaks. Not a
   * generator: for-of over one allocates a result object per packet, and resuming it costs more
   * than this plain next().
   */
  packets(): IterableIterator<FilePacket> {
    const reader = this.format === 'pcap' ? new PcapRecords(this.#window) : new PcapngBlocks(this.#window);
    const packet = new FilePacket(this.#window.buf);
    const more: IteratorResult<FilePacket> = { done: false, value: packet };
    const end: IteratorResult<FilePacket> = { done: true, value: undefined };
    let open = true;
    const finish = () => {
      if (open) {
        open = false;
        this.damaged = reader.damaged;
        this.close();
      }
      return end;
    };
    return {
      next: () => (open && reader.next(packet) ? more : finish()),
      return: finish,
      [Symbol.iterator]() {
        return this;
      },
    };
  }

  close(): void {
    try {
      closeSync(this.#fd);
    } catch {
      // already closed
    }
  }
}
