import { appendFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertFactory } from '../../../alerts/alert.ts';
import { DeliveryQueue } from '../../../alerts/delivery-queue.ts';
import { egressFinding } from '../../support/findings.ts';

const dirs: string[] = [];
function queueDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-queue-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const factory = new AlertFactory({ host: 'h', dedupWindow: 0 });
const alert = (port: number) => factory.raise(egressFinding(port))!.alert;

describe('DeliveryQueue', () => {
  it('keeps undelivered alerts in order across a reopen', () => {
    const dir = queueDir();
    const q = new DeliveryQueue({ dir });
    const [a, b, c] = [alert(1), alert(2), alert(3)];
    [a, b, c].forEach((x) => q.push(x));
    q.ack(q.peek()!.seq);
    q.close();
    const reopened = new DeliveryQueue({ dir });
    expect(reopened.depth).toBe(2);
    expect(reopened.peek()?.alert.id).toBe(b.id);
    reopened.ack(reopened.peek()!.seq);
    expect(reopened.peek()?.alert.id).toBe(c.id);
    reopened.close();
  });

  it('never hands out an acknowledged alert again, even after the file was emptied', () => {
    const dir = queueDir();
    const q = new DeliveryQueue({ dir });
    q.push(alert(1));
    const seq = q.peek()!.seq;
    q.ack(seq);
    q.close();
    const reopened = new DeliveryQueue({ dir });
    expect(reopened.depth).toBe(0);
    reopened.push(alert(2));
    expect(reopened.peek()!.seq).toBeGreaterThan(seq);
    reopened.close();
  });

  it('refuses alerts beyond its bound', () => {
    const q = new DeliveryQueue({ dir: queueDir(), maxEntries: 2 });
    expect([q.push(alert(1)), q.push(alert(2)), q.push(alert(3))]).toEqual([true, true, false]);
    expect(q.depth).toBe(2);
    q.close();
  });

  it('rewrites its file through a new descriptor at the next push after a failed disk step', () => {
    const dir = queueDir();
    const q = new DeliveryQueue({ dir });
    const file = path.join(dir, 'queue.jsonl');
    const alerts = Array.from({ length: 1001 }, (_, i) => alert(i + 1));
    for (const a of alerts) q.push(a);
    // No atomic rewrite can happen while its temp name is taken by a directory: the compaction
    // after the 1 000th delivery fails, as on a full or read-only disk.
    const blocked = path.join(dir, 'queue.jsonl.tmp');
    mkdirSync(blocked);
    for (let i = 0; i < 1000; i++) q.ack(q.peek()!.seq);
    expect(q.unsaved).toBeGreaterThan(0);
    rmSync(blocked, { recursive: true });
    const inode = statSync(file).ino;
    q.push(alert(2000));
    expect(q.unsaved).toBe(0);
    expect(statSync(file).ino).not.toBe(inode);
    q.close();
    const reopened = new DeliveryQueue({ dir });
    expect(reopened.depth).toBe(2);
    expect(reopened.peek()?.alert.id).toBe(alerts[1000]!.id);
  });

  it('keeps `acked` one sector rewritten in place, its seq and mark readable at the next start', () => {
    const dir = queueDir();
    const q = new DeliveryQueue({ dir });
    const [a, b] = [alert(1), alert(2)];
    q.push(a);
    q.push(b);
    const inode = statSync(path.join(dir, 'acked')).ino;
    q.ack(q.peek()!.seq);
    expect(statSync(path.join(dir, 'acked')).ino).toBe(inode);
    expect(statSync(path.join(dir, 'acked')).size).toBe(512);
    q.close();
    const reopened = new DeliveryQueue({ dir });
    expect(reopened.depth).toBe(1);
    expect(reopened.peek()?.alert.id).toBe(b.id);
    expect(reopened.lastAlert).toEqual({ id: b.id, count: 1 });
  });

  it('skips a torn last line from a crash mid-append', () => {
    const dir = queueDir();
    const q = new DeliveryQueue({ dir });
    const a = alert(1);
    q.push(a);
    q.close();
    appendFileSync(path.join(dir, 'queue.jsonl'), '{"seq":2,"alert":{"id"');
    const reopened = new DeliveryQueue({ dir });
    expect(reopened.depth).toBe(1);
    reopened.push(alert(2));
    reopened.close();
    expect(new DeliveryQueue({ dir }).depth).toBe(2);
  });
});
