import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContainerRef, FlowRecord } from '../../../collector/events.ts';
import { FlowHistory, queryFlowHistory } from '../../../alerts/flow-history.ts';

const dirs: string[] = [];
const stateDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-flowhist-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const API: ContainerRef = { id: 'a'.repeat(64), name: 'shop-api-1', image: 'shop/api:1', workload: 'shop/api' };
const T0 = Date.parse('2026-11-23T04:00:00Z');

function flow(port: number, at: number, container = API, dstName: string | null = null): FlowRecord {
  return {
    id: `f${port}`,
    protocol: 'tcp',
    src: { ip: '198.18.64.3', port: 40000 + port, kind: 'container', container, name: null },
    dst: { ip: '203.0.113.10', port, kind: 'external', container: null, name: dstName },
    network: 'shop',
    networks: ['shop'],
    bytesOut: 100,
    bytesIn: 2000,
    packetsOut: 3,
    packetsIn: 4,
    tcpFlags: 'SAF',
    state: 'closed',
    firstSeen: at - 1000,
    lastSeen: at,
  };
}

describe('FlowHistory', () => {
  it('answers by container, workload and destination, newest first, from the files alone', () => {
    const dir = stateDir();
    const history = new FlowHistory(dir, { max_bytes: 1 << 20, max_age: 0 });
    history.record(flow(443, T0, API, 'api.example.test'), T0);
    history.record(flow(80, T0 + 1000), T0 + 1000);
    const other = { ...API, id: 'b'.repeat(64), name: 'other', workload: 'other' };
    history.record(flow(22, T0 + 2000, other), T0 + 2000);
    // A reader that is not the writer (the CLI, a restarted agent) sees the same.
    expect(queryFlowHistory(dir, { container: 'shop-api-1' }).map((f) => f.dst.port)).toEqual([80, 443]);
    expect(queryFlowHistory(dir, { workload: 'other' }).map((f) => f.dst.port)).toEqual([22]);
    expect(queryFlowHistory(dir, { dst: 'api.example.test' }).map((f) => f.dst.port)).toEqual([443]);
    expect(queryFlowHistory(dir, { since: T0 + 500 }).map((f) => f.dst.port)).toEqual([22, 80]);
    const [latest] = queryFlowHistory(dir, { limit: 1 });
    expect(latest).toMatchObject({ ended: 'closed', bytesOut: 100, bytesIn: 2000, packetsOut: 3, packetsIn: 4 });
    expect(latest?.src).toMatchObject({ name: 'other', workload: 'other' });
  });

  it('stays within its size bound under a flood of ended flows', () => {
    const dir = stateDir();
    const maxBytes = 64 * 1024;
    const history = new FlowHistory(dir, { max_bytes: maxBytes, max_age: 0 });
    for (let i = 0; i < 10_000; i++) history.record(flow(i % 60000, T0 + i), T0 + i);
    expect(history.diskBytes()).toBeLessThanOrEqual(5 * maxBytes);
    expect(history.query({ limit: 1 })[0]?.dst.port).toBe(9999);
  });
});
