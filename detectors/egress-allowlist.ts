// Config `egress_allowlist`: external destinations every workload may reach. An entry is a CIDR
// or address (`10.0.0.0/8`, `203.0.113.20`, `2001:db8::/32`) or a DNS name with `*` wildcards
// (`*.shipwatch.test`), optionally followed by `:PORT` and `/PROTOCOL`
// (`partner.shipwatch.test:443/tcp`, `[2001:db8::1]:53/udp`). CIDR matching is hand-written here
// because node:net's BlockList is off limits to detectors (no node:net import, by design).
import type { Protocol } from '../collector/events.ts';

export type EgressRule =
  | {
      kind: 'cidr';
      text: string;
      family: 4 | 6;
      bits: bigint;
      prefix: number;
      port: number | null;
      protocol: Protocol | null;
    }
  | { kind: 'name'; text: string; pattern: RegExp; port: number | null; protocol: Protocol | null };

const PROTOCOLS = new Set(['tcp', 'udp', 'icmp', 'icmpv6']);

export function ipv4ToBigInt(ip: string): bigint | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

export function ipv6ToBigInt(ip: string): bigint | null {
  const text = ip.split('%')[0] ?? '';
  if (!text.includes(':')) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const words = (half: string | undefined) => (half ? half.split(':') : []);
  const head = words(halves[0]);
  const tail = words(halves[1]);
  const last = tail.length ? tail[tail.length - 1] : head[head.length - 1];
  const groups: string[] = [];
  const embedded = last?.includes('.') ? ipv4ToBigInt(last) : null;
  const expand = (list: string[]) =>
    list.flatMap((w) =>
      w.includes('.') && embedded !== null ? [(embedded >> 16n).toString(16), (embedded & 0xffffn).toString(16)] : [w],
    );
  const h = expand(head);
  const t = expand(tail);
  const missing = 8 - h.length - t.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  groups.push(...h, ...Array<string>(halves.length === 1 ? 0 : missing).fill('0'), ...t);
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return null;
    value = (value << 16n) | BigInt(`0x${group}`);
  }
  return value;
}

function parseAddress(text: string): { family: 4 | 6; bits: bigint } | null {
  const v4 = ipv4ToBigInt(text);
  if (v4 !== null) return { family: 4, bits: v4 };
  const v6 = ipv6ToBigInt(text);
  return v6 === null ? null : { family: 6, bits: v6 };
}

/** Parses one entry; returns an error sentence for a bad one. */
export function parseEgressRule(text: string): EgressRule | { error: string } {
  let rest = text.trim();
  let protocol: Protocol | null = null;
  let port: number | null = null;
  const proto = /\/([a-z0-9]+)$/i.exec(rest);
  if (proto && PROTOCOLS.has(proto[1]!.toLowerCase())) {
    protocol = proto[1]!.toLowerCase() as Protocol;
    rest = rest.slice(0, -proto[0].length);
  }
  const bracketed = /^\[([^\]]+)\](?::(\d+))?((?:\/\d+)?)$/.exec(rest);
  if (bracketed) {
    rest = `${bracketed[1]}${bracketed[3]}`;
    if (bracketed[2]) port = Number(bracketed[2]);
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    const cut = rest.lastIndexOf(':');
    const portText = rest.slice(cut + 1);
    if (!/^\d{1,5}$/.test(portText)) return { error: `${text}: bad port "${portText}"` };
    port = Number(portText);
    rest = rest.slice(0, cut);
  }
  if (port !== null && (port < 1 || port > 65535)) return { error: `${text}: port out of range` };
  const [addressText, prefixText] = rest.split('/');
  const address = parseAddress(addressText ?? '');
  if (address) {
    const max = address.family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return { error: `${text}: bad prefix length` };
    return { kind: 'cidr', text, ...address, prefix, port, protocol };
  }
  if (!/^[a-z0-9*]([a-z0-9*-]*[a-z0-9*])?(\.[a-z0-9*]([a-z0-9*-]*[a-z0-9*])?)*\.?$/i.test(rest)) {
    return { error: `${text}: expected a CIDR, an address or a DNS name` };
  }
  const source = rest.replace(/\.$/, '').replace(/[.]/g, '\\.').replace(/\*/g, '.*');
  return { kind: 'name', text, pattern: new RegExp(`^${source}\\.?$`, 'i'), port, protocol };
}

function inCidr(rule: Extract<EgressRule, { kind: 'cidr' }>, ip: string): boolean {
  const address = parseAddress(ip);
  if (!address || address.family !== rule.family) return false;
  const width = BigInt(rule.family === 4 ? 32 : 128);
  const shift = width - BigInt(rule.prefix);
  return address.bits >> shift === rule.bits >> shift;
}

export interface Destination {
  ip: string;
  name: string | null;
  port: number | null;
  protocol: Protocol;
}

export function allowlisted(rules: readonly EgressRule[], dst: Destination): EgressRule | null {
  for (const rule of rules) {
    if (rule.port !== null && rule.port !== dst.port) continue;
    if (rule.protocol !== null && rule.protocol !== dst.protocol) continue;
    if (rule.kind === 'cidr' ? inCidr(rule, dst.ip) : dst.name !== null && rule.pattern.test(dst.name)) return rule;
  }
  return null;
}

/**
 * The allowlist of a validated config. The schema is the one place a bad entry is reported (with
 * its index, by check-config too, through checkEgressRule); one that reaches here is a bug.
 */
export function egressRules(texts: readonly string[]): EgressRule[] {
  return texts.map((text) => {
    const rule = parseEgressRule(text);
    if ('error' in rule) throw new Error(`egress_allowlist entry not validated by the config schema: ${rule.error}`);
    return rule;
  });
}

/** zod refinement for config `egress_allowlist` entries, so check-config names a bad one. */
export function checkEgressRule(
  text: string,
  ctx: { addIssue(issue: { code: 'custom'; message: string }): void },
): void {
  const rule = parseEgressRule(text);
  if ('error' in rule) ctx.addIssue({ code: 'custom', message: rule.error });
}
