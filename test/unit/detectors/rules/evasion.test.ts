import { describe, expect, it } from 'vitest';
import type { FileOp, ShipwatchEvent } from '../../../../collector/events.ts';
import { api, exec, fileChanged, started } from '../../../fixtures/events.ts';
import { harness } from '../../../fixtures/harness.ts';

function sized(at: number, path: string, op: FileOp, size?: number): ShipwatchEvent {
  const event = fileChanged(at, api, path, op);
  return size === undefined ? event : ({ ...event, size } as ShipwatchEvent);
}

function rulesOf(...events: ShipwatchEvent[]) {
  const h = harness();
  h.feed(started(h.at(0), api));
  return h.feed(...events);
}

describe('fileless_execution', () => {
  it.each([
    ['/memfd:payload', { exeDeleted: true }, 'from memory'],
    ['/tmp/.x', { exeDeleted: true }, 'from a file that was deleted before it ran'],
    ['/dev/shm/kworker', {}, 'from /dev/shm'],
  ])('alerts on an exec of %s', (exe, extra, how) => {
    const found = rulesOf(exec(10, api, exe, ['kworker'], extra)).filter((f) => f.rule === 'fileless_execution');
    expect(found).toHaveLength(1);
    expect(found[0]?.summary).toContain(how);
  });

  it('stays silent for an ordinary exec', () => {
    expect(rulesOf(exec(10, api, '/usr/local/bin/app', ['app'])).map((f) => f.rule)).not.toContain(
      'fileless_execution',
    );
  });
});

describe('log_tampering', () => {
  it.each([
    ['/root/.ash_history', 'delete' as const, undefined, 'deleted the history'],
    ['/var/log/app.log', 'write' as const, 0, 'emptied the log'],
    ['/srv/app/access.log', 'delete' as const, undefined, 'deleted the log'],
    ['/var/log/wtmp', 'create' as const, 0, 'emptied the login record'],
  ])('alerts when %s is changed by %s', (path, op, size, what) => {
    const found = rulesOf(sized(10, path, op, size)).filter((f) => f.rule === 'log_tampering');
    expect(found).toHaveLength(1);
    expect(found[0]?.summary).toContain(what);
  });

  it('alerts when truncate runs on a log', () => {
    const found = rulesOf(exec(10, api, '/bin/busybox', ['truncate', '-s', '0', '/var/log/auth.log']));
    expect(found.map((f) => f.rule)).toContain('log_tampering');
  });

  it.each([
    ['/var/log/app.log', 'write' as const, 2048],
    ['/var/log/app.log', 'create' as const, 0],
    ['/var/log/app.log.3', 'delete' as const, undefined],
    ['/var/log/app.log.1.gz', 'delete' as const, undefined],
    ['/var/log/app-20261201', 'delete' as const, undefined],
    ['/app/data.txt', 'write' as const, 0],
  ])('stays silent when %s is changed by %s (rotation, growth, other files)', (path, op, size) => {
    expect(rulesOf(sized(10, path, op, size)).map((f) => f.rule)).not.toContain('log_tampering');
  });
});
