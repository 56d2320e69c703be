import { BlockList } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CidrAttributor } from '../../../collector/flow-attribution.ts';

describe('CidrAttributor', () => {
  const attributor = new CidrAttributor({ shop: '198.18.1.0/24', wide: '198.18.0.0/15', v6: 'fd00::/64' });

  it('names the gateway host on its own network and external elsewhere', () => {
    expect(attributor.attribute('shop', '198.18.1.1')).toMatchObject({ kind: 'host', local: true });
    expect(attributor.attribute('wide', '198.18.1.1')).toMatchObject({ kind: 'external' });
  });

  it('takes the first configured network holding an address, local or not', () => {
    expect(attributor.attribute('shop', '198.18.1.7')).toMatchObject({
      kind: 'container',
      container: { id: 'pcap:198.18.1.7', workload: 'shop' },
      local: true,
    });
    expect(attributor.attribute('shop', '198.19.255.7')).toMatchObject({
      container: { workload: 'wide' },
      local: false,
    });
    expect(attributor.attribute('shop', '203.0.113.10')).toMatchObject({ kind: 'external', container: null });
    expect(attributor.attribute('v6', 'fd00::7')).toMatchObject({ container: { workload: 'v6' }, local: true });
  });

  it('matches IPv4 addresses as the BlockList does, at every prefix length and at subnet edges', () => {
    const mismatches: string[] = [];
    for (let bits = 0; bits <= 32; bits++) {
      const one = new CidrAttributor({ net: `198.18.77.5/${bits}` });
      const block = new BlockList();
      block.addSubnet('198.18.77.5', bits, 'ipv4');
      for (const ip of ['198.18.77.5', '198.18.77.4', '198.18.76.255', '198.19.0.0', '0.0.0.0', '255.255.255.255']) {
        if ((one.networkOf(ip) === 'net') !== block.check(ip, 'ipv4')) mismatches.push(`${ip} in /${bits}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('finds an IPv4 address inside a v4-mapped IPv6 subnet, as the BlockList does', () => {
    const mapped = new CidrAttributor({ mapped: '::ffff:198.18.0.0/112' });
    expect(mapped.networkOf('198.18.3.4')).toBe('mapped');
  });
});
