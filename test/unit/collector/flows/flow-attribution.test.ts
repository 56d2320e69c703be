import { BlockList } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CidrAttributor, inventoryAttributor } from '../../../../collector/flows/flow-attribution.ts';
import { Inventory } from '../../../../collector/inventory.ts';
import { containerInfo } from '../../../fixtures/events.ts';
import type { ContainerInfo, NetworkInfo } from '../../../../collector/inventory-types.ts';

describe('inventoryAttributor', () => {
  const inventory = new Inventory();
  const shop: NetworkInfo = {
    id: 'n1',
    name: 'shop',
    driver: 'bridge',
    bridge: 'br-0123456789ab',
    subnets: ['198.18.1.0/24'],
    gateways: ['198.18.1.1'],
    internal: false,
    labels: {},
    zone: 'shop',
  };
  inventory.upsertNetwork(shop);
  const bridgeAddresses = new Map([['br-0123456789ab', new Set(['198.18.1.1', 'fe80::42:f1ff:fe45:2ae'])]]);
  const attributor = inventoryAttributor(inventory, (bridge) => bridgeAddresses.get(bridge) ?? new Set());

  it('calls the gateway and the bridge’s own IPv6 link-local address the host', () => {
    expect(attributor.attribute('shop', '198.18.1.1')).toMatchObject({ kind: 'host' });
    expect(attributor.attribute('shop', 'fe80::42:f1ff:fe45:2ae')).toMatchObject({ kind: 'host' });
  });

  it('gives every flow of a container the same ref, and a renamed container a new one', () => {
    const api = (name: string): ContainerInfo => ({
      ...containerInfo({ id: 'c1', name, image: 'shop/api:1', workload: 'shop/api' }),
      networks: [
        {
          name: 'shop',
          networkId: 'n1',
          ipv4: '198.18.1.2',
          ipv6: null,
          mac: '02:42:c6:12:01:02',
          aliases: [],
          ipamIpv4: null,
          ipamIpv6: null,
          links: [],
        },
      ],
    });
    inventory.upsertContainer(api('api-1'));
    const first = attributor.attribute('shop', '198.18.1.2').container;
    expect(first).toEqual({ id: 'c1', name: 'api-1', image: 'shop/api:1', workload: 'shop/api' });
    // One object shared, not one per flow (100 000 flows held 100 000 copies).
    expect(attributor.attribute('shop', '198.18.1.2').container).toBe(first);
    inventory.upsertContainer(api('api-renamed'));
    expect(attributor.attribute('shop', '198.18.1.2').container).toMatchObject({ name: 'api-renamed' });
    expect(first).toMatchObject({ name: 'api-1' });
    inventory.removeContainer('c1');
  });

  it('leaves other link-local and unknown addresses external', () => {
    expect(attributor.attribute('shop', 'fe80::42:acff:fe12:3')).toMatchObject({ kind: 'external' });
    expect(attributor.attribute('other', 'fe80::42:f1ff:fe45:2ae')).toMatchObject({ kind: 'external' });
    expect(attributor.attribute('shop', '203.0.113.10')).toMatchObject({ kind: 'external' });
  });
});

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

  it('gives every flow of an address the same ref, whichever bridge it is seen on', () => {
    const first = attributor.attribute('shop', '198.18.1.9');
    const again = attributor.attribute('wide', '198.18.1.9');
    expect(first.container).toBe(again.container);
    expect(again).toMatchObject({ local: false });
    expect(attributor.attribute('shop', '198.18.1.10').container).not.toBe(first.container);
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
