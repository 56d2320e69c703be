import { describe, expect, it } from 'vitest';
import { CaptureStream } from '../../../../collector/packets/capture-stream.ts';

function frame(payload: Buffer, at: number): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32LE(payload.length, 0);
  header.writeDoubleLE(at, 8);
  return Buffer.concat([header, payload]);
}

const hello = Buffer.concat([Buffer.from('SWCP', 'latin1'), Buffer.from([1, 0, 0, 0])]);
const drops = (() => {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(0xffffffff, 0);
  b.writeUInt32LE(7, 4);
  return b;
})();

describe('CaptureStream', () => {
  it('reassembles packets split across chunks at every possible boundary', () => {
    const stream = Buffer.concat([
      hello,
      frame(Buffer.from('first'), 1),
      drops,
      frame(Buffer.from('second packet'), 2),
    ]);
    for (let cut = 1; cut < stream.length; cut++) {
      const seen: string[] = [];
      let linkType = -1;
      let dropped = 0;
      const parser = new CaptureStream({
        hello: (t) => (linkType = t),
        packet: (data, caplen, at) => seen.push(`${data.toString('latin1', 0, caplen)}@${at}`),
        dropped: (n) => (dropped += n),
        corrupt: (reason) => seen.push(`corrupt: ${reason}`),
      });
      parser.push(stream.subarray(0, cut));
      parser.push(stream.subarray(cut));
      expect(seen).toEqual(['first@1', 'second packet@2']);
      expect(linkType).toBe(1);
      expect(dropped).toBe(7);
    }
  });

  it('hands over a chunk in turns when asked to stop, and goes on where it stopped', () => {
    const frames = Array.from({ length: 200 }, (_, i) => frame(Buffer.from(`p${i}`), i));
    const seen: number[] = [];
    const parser = new CaptureStream({
      hello: () => undefined,
      packet: (_data, _caplen, at) => seen.push(at),
      dropped: () => undefined,
      corrupt: (reason) => seen.push(Number.NaN, reason.length),
    });
    const turns = [parser.push(Buffer.concat([hello, ...frames.slice(0, 150)]), () => true)];
    while (!turns.at(-1)) turns.push(parser.push(null, () => true));
    // Checked every 64 packets: 64, 128, then the rest of the chunk; a new chunk after that.
    expect(turns).toEqual([false, false, true]);
    expect(parser.push(Buffer.concat(frames.slice(150)))).toBe(true);
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('stops at a stream that does not start with the hello', () => {
    const reasons: string[] = [];
    const parser = new CaptureStream({
      hello: () => undefined,
      packet: () => undefined,
      dropped: () => undefined,
      corrupt: (r) => reasons.push(r),
    });
    parser.push(Buffer.from('garbage!garbage!'));
    expect(reasons).toEqual(['missing SWCP hello']);
  });
});
