import { describe, expect, it } from 'vitest';
import { publishedServices } from '../../../agent/fleet-services.ts';
import { Inventory } from '../../../collector/inventory.ts';
import type { NetworkInfo } from '../../../collector/inventory-types.ts';
import { MAX_SERVICES_PER_HOST, ServiceDirectory, type PublishedService } from '../../../fleet/index.ts';
import { SERVICES_FORMAT } from '../../../fleet/service-directory.ts';
import { containerInfo } from '../../fixtures/events.ts';

const pay: PublishedService = {
  ip: '203.0.113.80',
  port: 8443,
  protocol: 'tcp',
  id: 'f'.repeat(64),
  name: 'pay-1',
  image: 'shop/pay:2',
  workload: 'shop/pay',
  zone: 'payments',
};
const entry = (host: string, services: PublishedService[]) => ({
  format: SERVICES_FORMAT,
  host,
  services,
  at: '2026-12-02T00:00:00.000Z',
});

describe('ServiceDirectory', () => {
  it('names the container another host publishes at an address and port, with its host and zone', () => {
    const directory = new ServiceDirectory('host-a');
    expect(directory.apply('host-b', entry('host-b', [pay]))).toBeNull();
    expect(directory.lookup('203.0.113.80', 8443, 'tcp')).toEqual({
      id: pay.id,
      name: 'pay-1',
      image: 'shop/pay:2',
      workload: 'shop/pay',
      host: 'host-b',
      zone: 'payments',
    });
    expect(directory.lookup('203.0.113.80', 8443, 'udp')).toBeNull();
    expect(directory.lookup('203.0.113.81', 8443, 'tcp')).toBeNull();
  });

  it('replaces a host’s ports with its newer entry, and forgets them when the entry goes', () => {
    const directory = new ServiceDirectory('host-a');
    directory.apply('host-b', entry('host-b', [pay]));
    directory.apply('host-b', entry('host-b', [{ ...pay, port: 9443 }]));
    expect(directory.lookup(pay.ip, 8443, 'tcp')).toBeNull();
    expect(directory.lookup(pay.ip, 9443, 'tcp')?.name).toBe('pay-1');
    directory.removeHost('host-b');
    expect(directory.lookup(pay.ip, 9443, 'tcp')).toBeNull();
  });

  it('names nobody at an address and port two hosts claim, and ignores its own host’s entry', () => {
    const directory = new ServiceDirectory('host-a');
    directory.apply('host-b', entry('host-b', [pay]));
    directory.apply('host-c', entry('host-c', [{ ...pay, name: 'other' }]));
    expect(directory.lookup(pay.ip, pay.port, 'tcp')).toBeNull();
    directory.apply('host-a', entry('host-a', [{ ...pay, port: 1 }]));
    expect(directory.lookup(pay.ip, 1, 'tcp')).toBeNull();
  });

  it('refuses a malformed entry, one host’s entry under another’s key and an oversized one, applying none', () => {
    const directory = new ServiceDirectory('host-a');
    expect(directory.apply('host-b', { format: 'x' })).toMatch(/format/);
    expect(directory.apply('host-b', entry('host-b', [{ ...pay, ip: 'not-an-ip' }]))).toMatch(/ip/);
    expect(directory.apply('host-b', entry('host-b', [{ ...pay, port: 70000 }]))).toMatch(/port/);
    expect(directory.apply('host-b', entry('host-c', [pay]))).toMatch(/host-c under the key services.host-b/);
    const many = Array.from({ length: MAX_SERVICES_PER_HOST + 1 }, (_, i) => ({ ...pay, port: (i % 65535) + 1 }));
    expect(directory.apply('host-b', entry('host-b', many))).toMatch(/services/);
    expect(directory.apply('host-b', null)).not.toBeNull();
    expect(directory.size).toBe(0);
  });
});

describe('publishedServices', () => {
  const network: NetworkInfo = {
    id: 'n1',
    name: 'pay-net',
    driver: 'bridge',
    bridge: 'br-0123456789ab',
    subnets: ['198.19.1.0/24'],
    gateways: ['198.19.1.1'],
    internal: false,
    labels: {},
    zone: 'payments',
  };
  const ref = { id: pay.id, name: 'pay-1', image: 'shop/pay:2', workload: 'shop/pay' };
  const attached = (info: ReturnType<typeof containerInfo>) => ({
    ...info,
    networks: [
      {
        name: 'pay-net',
        networkId: 'n1',
        ipv4: '198.19.1.2',
        ipv6: null,
        mac: null,
        aliases: [],
        ipamIpv4: null,
        ipamIpv6: null,
        links: [],
      },
    ],
  });

  it('lists each published port at its own address, or at every host address when bound to all', () => {
    const inventory = new Inventory();
    inventory.upsertNetwork(network);
    const ports = [
      { hostIp: '0.0.0.0', hostPort: 8443, containerPort: '443/tcp' },
      { hostIp: '::', hostPort: 8443, containerPort: '443/tcp' },
      { hostIp: '203.0.113.90', hostPort: 5353, containerPort: '53/udp' },
      { hostIp: '203.0.113.90', hostPort: 9999, containerPort: '9999/sctp' },
    ];
    inventory.upsertContainer(attached(containerInfo(ref, { ports })));
    inventory.upsertContainer({
      ...attached(containerInfo({ ...ref, id: 'e'.repeat(64), name: 'off' }, { ports })),
      state: 'exited',
    });
    const services = publishedServices(inventory, ['203.0.113.80', '2001:db8::80']);
    expect(services.map((s) => `${s.ip}|${s.port}|${s.protocol}|${s.name}|${s.zone}`)).toEqual([
      '203.0.113.80|8443|tcp|pay-1|payments',
      '2001:db8::80|8443|tcp|pay-1|payments',
      '203.0.113.90|5353|udp|pay-1|payments',
    ]);
  });
});
