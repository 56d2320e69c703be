// The journal's backlog: alerts the disk refused are held in raise order, journalled before any
// newer one once the journal takes lines again, and only then handed on; bounded, never silent.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AlertFactory, type Alert } from '../../../alerts/alert.ts';
import { JournalBacklog } from '../../../alerts/journal-backlog.ts';
import { Health } from '../../../core/health.ts';
import { createLogger } from '../../../core/logger.ts';
import { egressFinding } from '../../support/findings.ts';

const factory = new AlertFactory({ host: 'h', dedupWindow: 0 });
const alert = (port: number): Alert => factory.raise(egressFinding(port))!.alert;

function setup(max?: number) {
  const disk = { refuses: false, lines: [] as string[] };
  const handedOn: string[] = [];
  const logged: { msg: string; id?: string; held?: boolean }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged.push(JSON.parse(chunk.toString('utf8')) as { msg: string });
      done();
    },
  });
  const health = new Health();
  const backlog = new JournalBacklog({
    journal: {
      append(a: Alert) {
        if (disk.refuses) throw Object.assign(new Error('EROFS: read-only file system, write'), { code: 'EROFS' });
        disk.lines.push(a.id);
      },
    },
    log: createLogger('info', false, sink),
    health,
    max,
    onJournalled: (a) => handedOn.push(a.id),
  });
  return { disk, handedOn, logged, health, backlog };
}

describe('JournalBacklog', () => {
  it('journals at once while the disk takes lines, and the caller hands the alert on', () => {
    const { backlog, disk, handedOn } = setup();
    const a = alert(1);
    expect(backlog.write(a, false)).toBe(true);
    expect(disk.lines).toEqual([a.id]);
    expect(handedOn).toEqual([]);
  });

  it('holds refused alerts, logs each at once, and journals them in order before the next one', () => {
    const { backlog, disk, handedOn, logged, health } = setup();
    const [a, b, c] = [alert(1), alert(2), alert(3)];
    disk.refuses = true;
    expect([backlog.write(a, false), backlog.write(b, false)]).toEqual([false, false]);
    expect(logged.filter((l) => l.msg === 'alert journal write failed').map((l) => l.id)).toEqual([a.id, b.id]);
    expect(health.get('journal')?.state).toBe('degraded');
    expect(health.get('journal')?.detail).toContain('EROFS');

    disk.refuses = false;
    expect(backlog.write(c, false)).toBe(true);
    expect(disk.lines).toEqual([a.id, b.id, c.id]);
    expect(handedOn).toEqual([a.id, b.id]);
    expect(health.get('journal')?.state).toBe('up');
    expect(backlog.held).toBe(0);
  });

  it('journals held alerts on retry alone, with no new alert needed', () => {
    const { backlog, disk, handedOn } = setup();
    const a = alert(1);
    disk.refuses = true;
    backlog.write(a, false);
    backlog.retry();
    expect(handedOn).toEqual([]);
    disk.refuses = false;
    backlog.retry();
    expect(handedOn).toEqual([a.id]);
  });

  it('holds at most max alerts; the rest are on stdout only, said once', () => {
    const { backlog, disk, handedOn, logged } = setup(2);
    disk.refuses = true;
    const alerts = [alert(1), alert(2), alert(3), alert(4)];
    alerts.forEach((a) => backlog.write(a, false));
    expect(backlog.held).toBe(2);
    expect(logged.filter((l) => l.msg === 'alert journal write failed').map((l) => l.held)).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(logged.filter((l) => l.msg.startsWith('alert journal backlog full'))).toHaveLength(1);
    disk.refuses = false;
    backlog.retry();
    expect(handedOn).toEqual(alerts.slice(0, 2).map((a) => a.id));
  });
});
