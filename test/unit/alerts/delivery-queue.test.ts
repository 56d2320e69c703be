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
    const [a, b] = [alert(1), alert(2)];
    q.push(a);
    // No atomic write can happen while the temp names are taken by directories: the ack and the
    // rewrite after it fail, as on a full or read-only disk.
    const blocked = ['acked.tmp', 'queue.jsonl.tmp'].map((name) => path.join(dir, name));
    blocked.forEach((p) => mkdirSync(p));
    q.ack(q.peek()!.seq);
    expect(q.unsaved).toBeGreaterThan(0);
    blocked.forEach((p) => rmSync(p, { recursive: true }));
    const inode = statSync(file).ino;
    q.push(b);
    expect(q.unsaved).toBe(0);
    expect(statSync(file).ino).not.toBe(inode);
    q.close();
    expect(new DeliveryQueue({ dir }).peek()?.alert.id).toBe(b.id);
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
