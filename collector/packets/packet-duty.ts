// How much of the agent's main thread packet handling may take: at most SHARE of every WINDOW_MS,
// shared by every capture and the cross-bridge merge. Under a flood beyond what the agent can
// handle, packet work would otherwise take the whole thread, and everything else on it waits its
// turn behind it: /healthz and the API, the process and file sources (a flood must not hide an
// exec), timers, the garbage collector's pauses. Packets not handled meanwhile wait in the capture
// child, which sheds and counts what overflows (bin/shipwatch-capture.js). Below saturation this
// changes nothing: 300 000 packets/s of known flows take about half a core (bench/README.md).
import { performance } from 'node:perf_hooks';

const WINDOW_MS = 100;
const SHARE = 0.6;

export class PacketDuty {
  readonly #clock: () => number;
  #windowStart = -Infinity;
  #spent = 0;

  constructor(clock: () => number = () => performance.now()) {
    this.#clock = clock;
  }

  /** Milliseconds of packet work left in the current window (0: wait for untilNext()). */
  left(): number {
    this.#roll();
    return Math.max(0, WINDOW_MS * SHARE - this.#spent);
  }

  /** Milliseconds until the next window, when there is budget again. */
  untilNext(): number {
    return Math.max(1, this.#windowStart + WINDOW_MS - this.#clock());
  }

  /**
   * Runs `work` with at most `turnMs` (and what is left of the window) to spend: `work` gets a
   * `stop()` to ask as it goes. Returns what work returned.
   */
  run<T>(turnMs: number, work: (stop: () => boolean) => T): T {
    const started = this.#clock();
    const ends = started + Math.min(turnMs, this.left());
    try {
      return work(() => this.#clock() >= ends);
    } finally {
      this.#spent += this.#clock() - started;
    }
  }

  #roll(): void {
    const now = this.#clock();
    if (now - this.#windowStart < WINDOW_MS) return;
    this.#windowStart = now;
    this.#spent = 0;
  }
}
