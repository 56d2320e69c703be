// One Docker bridge being captured: a bin/shipwatch-capture.js process running `cap` on it, its framed
// stdout parsed back into packets, and the count of packets the capture missed (pcap_stats' for
// its ring, plus what the child shed while the agent was behind; reported by the child). Ends
// cleanly on detach(); when the child dies on its own
// (the bridge went down), onExit says why.
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { projectPath } from '../../core/project-root.ts';
import { CaptureStream } from './capture-stream.ts';
import { PacketDuty } from './packet-duty.ts';

const CHILD = projectPath('bin', 'shipwatch-capture.js');
/** Most time one turn of packet handling may take (/healthz is to answer within 100 ms). */
const TURN_MS = 10;

export interface BridgeCaptureOptions {
  iface: string;
  snaplen: number;
  filter: string;
  onPacket: (buf: Buffer, caplen: number, linkType: number, at: number) => void;
  onUp: () => void;
  onExit: (reason: string) => void;
  /** The share of the main thread packet work may take, shared with the other captures (default: its own). */
  duty?: PacketDuty;
}

export class BridgeCapture {
  readonly iface: string;
  /** Packets received from the child, not yet reported to metrics. */
  unreportedPackets = 0;
  #unreportedDrops = 0;
  #linkType = 1;
  #stopping = false;
  #stderr = '';
  readonly #child: ChildProcess;

  constructor(o: BridgeCaptureOptions) {
    this.iface = o.iface;
    this.#child = spawn(process.execPath, [CHILD, o.iface, String(o.snaplen), o.filter], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stream = new CaptureStream({
      hello: (linkType) => {
        this.#linkType = linkType;
        o.onUp();
      },
      packet: (data, caplen, at) => {
        this.unreportedPackets++;
        o.onPacket(data, caplen, this.#linkType, at);
      },
      dropped: (count) => {
        this.#unreportedDrops += count;
      },
      corrupt: (reason) => {
        this.#stderr += `capture stream corrupt: ${reason}`;
        this.#child.kill('SIGTERM');
      },
    });
    // At most TURN_MS of packets per turn of the event loop (and within the packet duty, see
    // packet-duty.ts): once a turn's share is spent, the socket is paused until the next turn.
    // Unpaced, libuv reads a busy socket up to 32 times per wake-up (2 MiB: a second of work under
    // a flood of new flows) and nothing else — the API, /healthz, the other captures — is served
    // meanwhile. Paced, the child's queue fills instead, and what overflows it is counted there
    // (bin/shipwatch-capture.js). Within the share, chunks are read on in the same turn: paused
    // after every chunk (64 KiB, ~250 packets), a turn that also raised and delivered alerts took
    // ~1.5 ms, too few turns a second for 200 000 packets/s, and the child shed what piled up.
    const stdout = this.#child.stdout;
    const duty = o.duty ?? new PacketDuty();
    let turnEnds = 0; // when this turn's packet work is to end; 0: none done yet this turn
    const work = (chunk: Buffer | null): void => {
      if (duty.left() <= 0) {
        stdout?.pause();
        return void setTimeout(() => work(chunk), duty.untilNext());
      }
      const now = performance.now();
      if (turnEnds === 0) {
        turnEnds = now + TURN_MS;
        setImmediate(() => (turnEnds = 0));
      }
      // A spent turn still takes the chunk: push() parses 64 packets and keeps the rest for later.
      const done = duty.run(Math.max(0, turnEnds - now), (stop) => stream.push(chunk, stop));
      if (done && performance.now() < turnEnds) return void (stdout?.isPaused() && stdout.resume());
      stdout?.pause();
      setImmediate(() => (done ? stdout?.resume() : work(null)));
    };
    stdout?.on('data', work);
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-2000);
    });
    this.#child.stdin?.on('error', () => undefined);
    this.#child.once('exit', (code, signal) => {
      if (this.#stopping) return;
      const why = this.#stderr.trim().split('\n').filter(Boolean).pop();
      o.onExit(why ?? (signal ? `capture process killed by ${signal}` : `capture process exited with ${code}`));
    });
    this.#child.once('error', (error) => o.onExit(`capture process failed: ${error.message}`));
  }

  /**
   * Packets missed since the previous call: dropped by the kernel because the capture's ring was
   * full, or shed by the child because the agent was behind (bin/shipwatch-capture.js).
   */
  newlyDropped(): number {
    const fresh = this.#unreportedDrops;
    this.#unreportedDrops = 0;
    return fresh;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  detach(): Promise<void> {
    this.#stopping = true;
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 2000);
      this.#child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.#child.stdin?.end();
    });
  }
}
