// Which network interfaces exist on the host, from /sys/class/net (no process spawned, no library:
// one stat per question, asked at every inventory sync), and which addresses the host holds on them.
import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

export function interfaceExists(name: string): boolean {
  return name !== '' && !name.includes('/') && existsSync(`/sys/class/net/${name}/ifindex`);
}

const ADDRESS_CACHE_MS = 5000;
let cached: { at: number; byInterface: Map<string, Set<string>> } | null = null;

/**
 * The addresses the host holds on an interface (a bridge's own IPv6 link-local address, which is
 * not its gateway), from getifaddrs through os.networkInterfaces(); re-read at most every 5 s,
 * since flows start far more often than bridges change.
 */
export function interfaceAddresses(name: string, now: number = Date.now()): ReadonlySet<string> {
  if (!cached || now - cached.at > ADDRESS_CACHE_MS) {
    const byInterface = new Map<string, Set<string>>();
    for (const [iface, addresses] of Object.entries(networkInterfaces())) {
      byInterface.set(iface, new Set((addresses ?? []).map((a) => a.address)));
    }
    cached = { at: now, byInterface };
  }
  return cached.byInterface.get(name) ?? EMPTY;
}

const EMPTY: ReadonlySet<string> = new Set();
