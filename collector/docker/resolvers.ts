// The resolvers a container is really configured with: `--dns` (HostConfig.Dns) and the
// nameservers of the resolv.conf Docker wrote for it (ResolvConfPath, on the host). On a
// user-defined network that file names only Docker's embedded DNS (127.0.0.11), which never
// crosses the bridge: what does cross it are the embedded DNS's queries to the daemon's upstreams,
// from inside the container's namespace — those upstreams come from the agent's config
// (dns_resolvers). Loopback addresses are kept out: nothing on a bridge comes from them.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

/** `nameserver` lines of a resolv.conf text, as addresses (zone suffixes dropped). */
export function nameservers(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*nameserver\s+([0-9a-fA-F.:]+)(?:%\S+)?\s*$/.exec(line);
    if (match?.[1] && isIP(match[1]) !== 0) out.push(match[1]);
  }
  return out;
}

const isLoopback = (ip: string) => ip.startsWith('127.') || ip === '::1';

/** HostConfig.Dns plus the container's resolv.conf nameservers, loopback left out; [] when unreadable. */
export function containerResolvers(
  dns: readonly string[] | null | undefined,
  resolvConfPath: string | undefined,
): string[] {
  let fromFile: string[] = [];
  if (resolvConfPath) {
    try {
      // Small, written by Docker at create and start; read once per inspect.
      fromFile = nameservers(readFileSync(resolvConfPath, 'utf8').slice(0, 64 * 1024));
    } catch {
      // Not on this host's file system (agent in a container without the data root): --dns only.
    }
  }
  return [...new Set([...(dns ?? []).filter((ip) => isIP(ip) !== 0), ...fromFile])].filter((ip) => !isLoopback(ip));
}
