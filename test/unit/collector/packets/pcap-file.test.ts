import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaptureFile, PcapFileError } from '../../../../collector/packets/pcap-file.ts';
import { ipv4Frame, pcapFile } from '../../../support/packet-builder.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'sw-pcap-'));
const write = (name: string, bytes: Buffer) => {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
};
const frame = (port: number) => ipv4Frame({ src: '198.18.1.2', dst: '203.0.113.10', protocol: 'udp', srcPort: port });

function block(type: number, body: Buffer): Buffer {
  const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
  const out = Buffer.alloc(12 + padded.length);
  out.writeUInt32LE(type, 0);
  out.writeUInt32LE(out.length, 4);
  padded.copy(out, 8);
  out.writeUInt32LE(out.length, out.length - 4);
  return out;
}

function pcapng(frames: Buffer[], tsresol: number): Buffer {
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeBigInt64LE(-1n, 8);
  const idb = Buffer.alloc(16);
  idb.writeUInt16LE(1, 0); // Ethernet
  idb.writeUInt32LE(65535, 4);
  idb.writeUInt16LE(9, 8); // if_tsresol
  idb.writeUInt16LE(1, 10);
  idb[12] = tsresol;
  const epbs = frames.map((data, i) => {
    const head = Buffer.alloc(20);
    const ts = BigInt(1_700_000_000_000 + i) * 1_000_000n; // nanoseconds
    head.writeUInt32LE(0, 0);
    head.writeUInt32LE(Number(ts >> 32n), 4);
    head.writeUInt32LE(Number(ts & 0xffffffffn), 8);
    head.writeUInt32LE(data.length, 12);
    head.writeUInt32LE(data.length, 16);
    return block(6, Buffer.concat([head, data]));
  });
  return Buffer.concat([block(0x0a0d0d0a, shb), block(1, idb), ...epbs]);
}

describe('CaptureFile', () => {
  it('reads a classic pcap with its timestamps', () => {
    const file = write(
      'a.pcap',
      pcapFile([
        { at: 1_700_000_000_250, data: frame(1) },
        { at: 1_700_000_001_000, data: frame(2) },
      ]),
    );
    const capture = new CaptureFile(file);
    const seen = [];
    // The reader reuses one record per packet: copy what is needed before the next.
    for (const p of capture.packets()) seen.push({ at: p.at, caplen: p.caplen, linkType: p.linkType });
    expect(seen).toEqual([
      { at: 1_700_000_000_250, caplen: frame(1).length, linkType: 1 },
      { at: 1_700_000_001_000, caplen: frame(2).length, linkType: 1 },
    ]);
    expect(capture.damaged).toBeNull();
  });

  it('hands each frame as an offset into its window, and as a view on request', () => {
    const file = write('c.pcap', pcapFile([1, 2, 3].map((port) => ({ at: port, data: frame(port) }))));
    const frames: Buffer[] = [];
    for (const p of new CaptureFile(file).packets()) {
      expect(p.buf.subarray(p.offset, p.offset + p.caplen)).toEqual(p.data);
      frames.push(Buffer.from(p.data));
    }
    expect(frames).toEqual([frame(1), frame(2), frame(3)]);
  });

  it('reads pcapng enhanced packet blocks with nanosecond resolution', () => {
    const file = write('b.pcapng', pcapng([frame(1), frame(2), frame(3)], 9));
    const capture = new CaptureFile(file);
    expect(capture.format).toBe('pcapng');
    const times: number[] = [];
    for (const p of capture.packets()) times.push(p.at);
    expect(times).toEqual([1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_002]);
  });

  it('stops at a cut-off record and says so, keeping the packets before it', () => {
    const whole = pcapFile([
      { at: 0, data: frame(1) },
      { at: 1, data: frame(2) },
    ]);
    const capture = new CaptureFile(write('cut.pcap', whole.subarray(0, whole.length - 5)));
    expect([...capture.packets()]).toHaveLength(1);
    expect(capture.damaged).toBe('truncated record');
  });

  it('refuses a file that is not a capture', () => {
    expect(() => new CaptureFile(write('notes.txt', Buffer.from('hello, this is text\n')))).toThrow(PcapFileError);
    expect(() => new CaptureFile(path.join(dir, 'missing.pcap'))).toThrow(PcapFileError);
  });
});
