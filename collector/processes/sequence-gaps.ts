// Events the kernel dropped, counted exactly. The proc connector numbers every event it sends per
// CPU (cn_msg.seq, drivers/connector/cn_proc.c) under a per-CPU lock, so from one socket each CPU's
// numbers arrive in order: a jump from n to n+k means k-1 events never reached us (ENOBUFS when
// our receive queue was full). Counting the gap says how much was lost, not just that it was.

/** A jump this large is no loss but a counter we saw restart (u32 wrap or a CPU brought back online). */
const IMPLAUSIBLE_GAP = 1 << 24;

export class SequenceGaps {
  readonly #last = new Map<number, number>();
  /** Events lost so far. */
  lost = 0;

  /** Records one message; returns how many events were lost just before it. */
  observe(cpu: number, seq: number): number {
    const last = this.#last.get(cpu);
    this.#last.set(cpu, seq);
    if (last === undefined) return 0;
    const gap = (seq - last - 1) >>> 0;
    if (gap === 0 || gap >= IMPLAUSIBLE_GAP) return 0;
    this.lost += gap;
    return gap;
  }
}
