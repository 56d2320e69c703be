import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../../../collector/events.ts';
import { FlowRows } from '../../../../collector/flows/flow-rows.ts';

const K = [1, 2, 3, 4] as const;
const record = () => ({ lastSeen: 0, bytesOut: 0, bytesIn: 0, packetsOut: 0, packetsIn: 0 }) as FlowRecord;
const drainAll = (rows: FlowRows) => {
  const seen: [number, number, number][] = [];
  const freed: number[] = [];
  rows.drain(
    (row, bytes, packets) => seen.push([row, bytes, packets]),
    (row) => freed.push(row),
  );
  return { seen, freed };
};

describe('FlowRows', () => {
  it('counts each direction by the first sender, keeps the latest sighting, and fills the record', () => {
    const rows = new FlowRows();
    const row = rows.alloc(1000, [-7, 8, 9, 10], 0x0a000001, 40000, 0, true);
    expect(rows.key(row)).toEqual([-7, 8, 9, 10]);
    expect(rows.count(row, 0, 0x0a000001, 40000, '', 100, 1005)).toBe(1);
    expect(rows.count(row, 0, 0x0a000002, 443, '', 60, 1003)).toBe(0); // late: lastSeen stays
    expect(rows.count(row, 0, 0x0a000001, 40001, '', 10, 1004)).toBe(0); // another port is not the sender
    const flow = record();
    rows.syncInto(row, flow);
    expect(flow).toEqual({ lastSeen: 1005, bytesOut: 100, bytesIn: 70, packetsOut: 1, packetsIn: 2 });
    expect(rows.bytesSinceUpdate(row)).toBe(170);
    rows.updated(row, 1006);
    expect([rows.bytesSinceUpdate(row), rows.lastUpdate(row)]).toEqual([0, 1006]);
  });

  it('tells IPv6 senders apart by the text the entry keeps', () => {
    const rows = new FlowRows();
    const row = rows.alloc(0, K, 'fd00aa', 53, 0, false);
    expect(rows.count(row, 0, 'fd00aa', 53, 'fd00aa', 1, 0)).toBe(1);
    expect(rows.count(row, 0, 'fd00bb', 53, 'fd00aa', 1, 0)).toBe(0);
    expect(rows.count(row, 0, 0, 53, 'fd00aa', 1, 0)).toBe(0);
  });

  it('counts on its first network only, until told an asymmetric route counts on every bridge', () => {
    const rows = new FlowRows();
    const row = rows.alloc(0, K, 1, 1, 3, false);
    expect(rows.count(row, 4, 1, 1, '', 10, 7)).toBe(-1);
    expect(rows.lastSeen(row)).toBe(7); // seen, not counted
    rows.countEveryBridge(row);
    expect(rows.count(row, 4, 1, 1, '', 10, 8)).toBe(1);
  });

  it('keeps TCP flags, FINs from each side and the state in the row', () => {
    const rows = new FlowRows();
    const row = rows.alloc(0, K, 1, 1, 0, true);
    expect([rows.isTcp(row), rows.isNew(row), rows.isClosed(row)]).toEqual([true, true, false]);
    expect(rows.addFlags(row, 0x02)).toBe(true);
    expect(rows.addFlags(row, 0x02)).toBe(false);
    expect(rows.addFlags(row, 0x12)).toBe(true);
    expect(rows.flagBits(row)).toBe(0x12);
    expect(rows.fin(row, true)).toBe(false);
    expect(rows.fin(row, true)).toBe(false);
    expect(rows.fin(row, false)).toBe(true);
    rows.established(row);
    expect(rows.isNew(row)).toBe(false);
    rows.closed(row, 42);
    expect([rows.isClosed(row), rows.closedAt(row)]).toEqual([true, 42]);
    expect(rows.payloadSeen(row)).toBe(false);
    rows.setPayloadSeen(row);
    expect(rows.payloadSeen(row)).toBe(true);
  });

  it('hands counts to the drain once, and keeps a released row until its counts are drained', () => {
    const rows = new FlowRows();
    const a = rows.alloc(0, K, 1, 1, 0, false);
    const b = rows.alloc(0, K, 2, 2, 0, false);
    rows.count(a, 0, 1, 1, '', 10, 0);
    rows.count(a, 0, 9, 9, '', 5, 0);
    expect(rows.release(b)).toBe(true); // nothing to drain: free at once
    expect(rows.alloc(0, K, 3, 3, 0, false)).toBe(b);
    expect(rows.release(a)).toBe(false); // dirty: kept
    const c = rows.alloc(0, K, 4, 4, 0, false);
    expect(c).not.toBe(a);
    expect(drainAll(rows)).toEqual({ seen: [[a, 15, 2]], freed: [a] });
    expect(drainAll(rows)).toEqual({ seen: [], freed: [] });
    const reused = rows.alloc(50, K, 5, 5, 0, false);
    expect(reused).toBe(a);
    const flow = record();
    rows.syncInto(reused, flow);
    expect(flow).toEqual({ lastSeen: 50, bytesOut: 0, bytesIn: 0, packetsOut: 0, packetsIn: 0 });
    rows.count(reused, 0, 5, 5, '', 7, 51);
    expect(drainAll(rows).seen).toEqual([[a, 7, 1]]); // a new flow's counts, not the old one's
  });

  it('doubles when full and keeps every row as it was', () => {
    const rows = new FlowRows(4);
    const made = Array.from({ length: 100 }, (_, i) => rows.alloc(i, K, i, i, 0, false));
    expect(new Set(made).size).toBe(100);
    expect(rows.capacity).toBe(128);
    for (const row of made) rows.count(row, 0, row, row, '', row, 1000);
    made.forEach((row) => {
      const flow = record();
      rows.syncInto(row, flow);
      expect(flow).toMatchObject({ lastSeen: 1000, bytesOut: row, packetsOut: 1 });
    });
  });
});
