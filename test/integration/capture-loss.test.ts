// What the capture misses is counted, exactly: a real Linux bridge fed by tcpreplay, the real
// capture child (patched cap, TPACKET_V3 ring), and a capture process frozen with SIGSTOP so its
// ring overflows. Every frame sent is either received or in the kernel's drop count.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeCapture } from '../../collector/packets/bridge-capture.ts';
import { ipv4Frame, pcapFile } from '../support/packet-builder.ts';
import { waitFor } from '../support/wait.ts';

const tag = Math.random().toString(16).slice(2, 8);
const bridge = `swl-${tag}`;
const [port, peer] = [`swlv-${tag}`, `swlp-${tag}`];
const ip = (...args: string[]) => execFileSync('ip', args);
/** No IPv6 on the test links: router solicitations and MLD reports would add frames we did not send. */
const noIpv6 = (iface: string) => writeFileSync(`/proc/sys/net/ipv6/conf/${iface}/disable_ipv6`, '1');

function replay(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tcpreplay', ['-q', '-K', '-i', peer, ...args, file], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`tcpreplay exited with ${code}`));
    });
  });
}

describe('capture loss accounting', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-loss-'));
  const file = path.join(dir, 'frames.pcap');
  let capture: BridgeCapture;
  let received = 0;
  let dropped = 0;

  /** Waits until no frame has arrived for half a second and the child's once-a-second drop report is in. */
  async function settle(): Promise<void> {
    let seen = -1;
    while (seen !== received) {
      seen = received;
      await sleep(500);
    }
    await sleep(1200);
    dropped += capture.newlyDropped();
  }

  beforeAll(async () => {
    // 10 000 frames over 1 000 flows, 100–1 000 byte payloads, to the test "internet" range; they
    // go nowhere: the bridge has no other port and the host drops frames not addressed to it.
    const frames = Array.from({ length: 10_000 }, (_, i) => ({
      at: i,
      data: ipv4Frame({
        src: `198.18.77.${(i % 250) + 2}`,
        dst: '203.0.113.10',
        protocol: 'udp',
        srcPort: 30_000 + (i % 1000),
        dstPort: 9999,
        payload: Buffer.alloc(100 + (i % 900)),
      }),
    }));
    writeFileSync(file, pcapFile(frames));
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('link', 'add', port, 'type', 'veth', 'peer', 'name', peer);
    for (const name of [bridge, port, peer]) noIpv6(name);
    ip('link', 'set', port, 'master', bridge);
    for (const name of [bridge, port, peer]) ip('link', 'set', name, 'up');
    let up = false;
    capture = new BridgeCapture({
      iface: bridge,
      snaplen: 256,
      filter: '',
      // Only the frames we sent (IPv4 UDP): the bridge itself may emit the odd control frame.
      onPacket: (buf) => {
        if (buf.readUInt16BE(12) === 0x0800 && buf[23] === 17) received++;
      },
      onUp: () => (up = true),
      onExit: (reason) => {
        throw new Error(`capture ended: ${reason}`);
      },
    });
    await waitFor(() => up, { what: 'the capture to start' });
  });

  afterAll(async () => {
    await capture?.detach();
    try {
      ip('link', 'del', bridge);
      ip('link', 'del', port);
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('receives every frame of a steady stream and reports no loss', async () => {
    await replay(file, ['--pps', '20000', '-l', '2']);
    await settle();
    expect(received).toBe(20_000);
    expect(dropped).toBe(0);
  });

  it('counts every frame a stalled capture could not hold as dropped', async () => {
    received = 0;
    dropped = 0;
    process.kill(capture.pid!, 'SIGSTOP');
    try {
      // 300 000 frames (~90 MB of ring slots at snaplen 256) into a 32 MiB ring nobody reads.
      await replay(file, ['--topspeed', '-l', '30']);
    } finally {
      process.kill(capture.pid!, 'SIGCONT');
    }
    await settle();
    expect(dropped).toBeGreaterThan(50_000);
    expect(received).toBeGreaterThan(10_000);
    // The kernel's drop count covers every frame, including any control frame the bridge emitted
    // meanwhile (none, or one or two, in a few seconds).
    expect(received + dropped).toBeGreaterThanOrEqual(300_000);
    expect(received + dropped).toBeLessThanOrEqual(300_002);
  });
});
