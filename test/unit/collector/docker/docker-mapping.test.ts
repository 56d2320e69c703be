import { describe, expect, it } from 'vitest';
import { orderKeyOf } from '../../../../collector/docker/docker-mapping.ts';

const message = (Type: string, Action: string, ID: string, Attributes?: Record<string, string>) => ({
  Type,
  Action,
  Actor: { ID, ...(Attributes ? { Attributes } : {}) },
  time: 0,
});

describe('orderKeyOf', () => {
  it("orders a container's messages, and a network's connect and disconnect of it, by the container", () => {
    expect(orderKeyOf(message('container', 'start', 'c1'))).toBe('container:c1');
    expect(orderKeyOf(message('container', 'exec_start: sh', 'c1', { execID: 'e' }))).toBe('container:c1');
    expect(orderKeyOf(message('network', 'connect', 'n1', { container: 'c1', name: 'net' }))).toBe('container:c1');
    expect(orderKeyOf(message('network', 'disconnect', 'n1', { container: 'c1' }))).toBe('container:c1');
  });

  it("orders a network's own create and destroy by the network", () => {
    expect(orderKeyOf(message('network', 'create', 'n1', { name: 'net', type: 'bridge' }))).toBe('network:n1');
    expect(orderKeyOf(message('network', 'destroy', 'n1'))).toBe('network:n1');
  });
});
