import { describe, expect, it } from 'vitest';
import { allowlisted, egressRules, parseEgressRule, type EgressRule } from '../../../detectors/egress-allowlist.ts';

function rules(...texts: string[]): EgressRule[] {
  return texts.map((t) => {
    const rule = parseEgressRule(t);
    if ('error' in rule) throw new Error(rule.error);
    return rule;
  });
}

const dst = (ip: string, port: number | null, name: string | null = null, protocol: 'tcp' | 'udp' = 'tcp') => ({
  ip,
  port,
  name,
  protocol,
});

describe('egress allowlist', () => {
  it('matches an address inside a CIDR', () => {
    expect(allowlisted(rules('203.0.113.0/28'), dst('203.0.113.10', 4444))).not.toBeNull();
    expect(allowlisted(rules('203.0.113.0/28'), dst('203.0.113.20', 4444))).toBeNull();
  });

  it('matches a single address with a port and protocol only on that port and protocol', () => {
    const list = rules('203.0.113.20:443/tcp');
    expect(allowlisted(list, dst('203.0.113.20', 443))).not.toBeNull();
    expect(allowlisted(list, dst('203.0.113.20', 80))).toBeNull();
    expect(allowlisted(list, dst('203.0.113.20', 443, null, 'udp'))).toBeNull();
  });

  it('matches DNS names with a wildcard, case-insensitively', () => {
    const list = rules('*.shipwatch.test:443');
    expect(allowlisted(list, dst('203.0.113.20', 443, 'Partner.Shipwatch.Test'))).not.toBeNull();
    expect(allowlisted(list, dst('203.0.113.20', 443, 'shipwatch.test.evil'))).toBeNull();
    expect(allowlisted(list, dst('203.0.113.20', 443, null))).toBeNull();
  });

  it('understands IPv6 CIDRs and bracketed addresses with ports', () => {
    expect(allowlisted(rules('2001:db8::/32'), dst('2001:db8:1::5', 80))).not.toBeNull();
    expect(allowlisted(rules('[2001:db8::1]:53/udp'), dst('2001:db8::1', 53, null, 'udp'))).not.toBeNull();
    expect(allowlisted(rules('2001:db8::/32'), dst('2001:db9::5', 80))).toBeNull();
  });

  it('reports a bad entry instead of guessing', () => {
    expect(parseEgressRule('198.19.0.0/33')).toHaveProperty('error');
    expect(parseEgressRule('host:99999')).toHaveProperty('error');
    expect(parseEgressRule('not a name!')).toHaveProperty('error');
  });

  it('treats an entry the config schema should have refused as a bug, never as an empty allowlist', () => {
    expect(() => egressRules(['198.19.0.0/16', 'not a name!'])).toThrow(/not validated by the config schema/);
  });
});
