// What a bridge capture should have seen, from the kernel's own counters, because `cap` exposes
// no pcap_stats. A packet socket on a Docker bridge (promiscuous, as libpcap opens it) sees every
// frame that enters the bridge from a port — counted in each port's (the host side of a veth)
// rx_packets — plus every frame the host sends into the bridge — the bridge's own tx_packets.
// The difference between that sum and what reached us, over the same interval, is what the
// capture missed. It is an estimate: ports that come and go between two reads lose their last
// interval (never over-reported: new ports start at their current value), and frames the kernel
// itself drops before the bridge are not counted on either side.
import { readFileSync, readdirSync } from 'node:fs';

const SYS = '/sys/class/net';

function counter(path: string): number | null {
  try {
    return Number(readFileSync(path, 'utf8').trim());
  } catch {
    return null;
  }
}

export class BridgeCounters {
  readonly #bridge: string;
  readonly #last = new Map<string, number>();

  constructor(bridge: string) {
    this.#bridge = bridge;
    this.delta();
  }

  /** Frames the bridge passed since the previous call (the first call sets the baseline and returns 0). */
  delta(): number {
    const sources = new Map<string, number>();
    const own = counter(`${SYS}/${this.#bridge}/statistics/tx_packets`);
    if (own !== null) sources.set(`${this.#bridge}:tx`, own);
    let ports: string[] = [];
    try {
      ports = readdirSync(`${SYS}/${this.#bridge}/brif`);
    } catch {
      ports = [];
    }
    for (const port of ports) {
      const rx = counter(`${SYS}/${port}/statistics/rx_packets`);
      if (rx !== null) sources.set(`${port}:rx`, rx);
    }
    let total = 0;
    for (const [name, value] of sources) {
      const previous = this.#last.get(name);
      if (previous !== undefined && value >= previous) total += value - previous;
    }
    this.#last.clear();
    for (const [name, value] of sources) this.#last.set(name, value);
    return total;
  }
}

export function interfaceExists(name: string): boolean {
  return counter(`${SYS}/${name}/ifindex`) !== null;
}

/** Bridge interfaces present on the host that look like Docker's (docker0, br-<12 hex>). */
export function dockerBridgesPresent(): string[] {
  try {
    return readdirSync(SYS).filter((n) => n === 'docker0' || /^br-[0-9a-f]{12}$/.test(n));
  } catch {
    return [];
  }
}
