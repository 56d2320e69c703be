import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertFactory, type Alert } from '../../../alerts/alert.ts';
import { Journal } from '../../../alerts/journal.ts';
import { JournalTail, parseJournalLines } from '../../../alerts/journal-reader.ts';
import { egressFinding } from '../../support/findings.ts';

const dirs: string[] = [];
function stateDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-journal-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

let clock = Date.parse('2026-11-23T04:00:00Z');
const factory = new AlertFactory({ host: 'h', dedupWindow: 0, now: () => (clock += 1000) });
const alert = (port: number): Alert => factory.raise(egressFinding(port))!.alert;

describe('Journal', () => {
  it('appends each alert as one JSON line under alerts/', () => {
    const dir = stateDir();
    const journal = new Journal({ stateDir: dir });
    const a = alert(1);
    journal.append(a);
    journal.close();
    expect(readFileSync(path.join(dir, 'alerts', 'journal.jsonl'), 'utf8')).toBe(`${JSON.stringify(a)}\n`);
  });

  it('returns alerts newest first with the latest version of a repeated id', () => {
    const journal = new Journal({ stateDir: stateDir() });
    const a = alert(1);
    const b = alert(2);
    journal.append(a);
    journal.append(b);
    journal.append({ ...a, count: 3 });
    expect(journal.query().map((x) => [x.id, x.count])).toEqual([
      [b.id, 1],
      [a.id, 3],
    ]);
    journal.close();
  });

  it('filters by rule, container, since and limit', () => {
    const journal = new Journal({ stateDir: stateDir() });
    const a = alert(1);
    const b = alert(2);
    journal.append(a);
    journal.append(b);
    expect(journal.query({ since: Date.parse(b.lastSeen) }).map((x) => x.id)).toEqual([b.id]);
    expect(journal.query({ limit: 1 }).map((x) => x.id)).toEqual([b.id]);
    expect(journal.query({ rule: 'new_peer' })).toEqual([]);
    expect(journal.query({ container: 'shop-api-1' })).toHaveLength(2);
    expect(journal.query({ container: 'aaaaaaaaaaaa' })).toHaveLength(2);
    expect(journal.query({ container: 'other' })).toEqual([]);
    journal.close();
  });

  it('rotates past the size limit and keeps only the retained files', () => {
    const dir = stateDir();
    const one = `${JSON.stringify(alert(0))}\n`.length;
    const journal = new Journal({ stateDir: dir, maxBytes: one * 2 + 10, retain: 2 });
    const written = Array.from({ length: 8 }, (_, i) => alert(100 + i));
    written.forEach((a) => journal.append(a));
    expect(readdirSync(path.join(dir, 'alerts')).sort()).toEqual([
      'journal.1.jsonl',
      'journal.2.jsonl',
      'journal.jsonl',
    ]);
    // 3 files of 2 lines each: the 6 newest survive, newest first.
    expect(journal.query().map((a) => a.id)).toEqual(
      written
        .slice(2)
        .reverse()
        .map((a) => a.id),
    );
    journal.close();
  });

  it('reads past a torn last line left by a crash and appends cleanly after it', () => {
    const dir = stateDir();
    const first = new Journal({ stateDir: dir });
    const a = alert(1);
    first.append(a);
    first.close();
    const b = alert(2);
    appendFileSync(path.join(dir, 'alerts', 'journal.jsonl'), JSON.stringify(b).slice(0, 40));

    const reopened = new Journal({ stateDir: dir });
    expect(reopened.query().map((x) => x.id)).toEqual([a.id]);
    const c = alert(3);
    reopened.append(c);
    expect(reopened.query().map((x) => x.id)).toEqual([c.id, a.id]);
    reopened.close();
  });

  it('writes through a fresh descriptor after a failed append, as after a file system mounted anew', () => {
    const dir = stateDir();
    const file = path.join(dir, 'alerts', 'journal.jsonl');
    mkdirSync(path.dirname(file));
    // The path leads to /dev/full (every write ENOSPC) until the link goes: the old descriptor
    // would go on failing, as one into a mount that turned read-only does.
    symlinkSync('/dev/full', file);
    const journal = new Journal({ stateDir: dir });
    expect(() => journal.append(alert(1))).toThrow(/ENOSPC/);
    rmSync(file);
    const b = alert(2);
    journal.append(b);
    expect(readFileSync(file, 'utf8')).toBe(`${JSON.stringify(b)}\n`);
    journal.close();
  });
});

describe('parseJournalLines', () => {
  it('skips lines that are not complete alerts', () => {
    const a = alert(1);
    expect(parseJournalLines(`{"torn\n${JSON.stringify(a)}\n[]\n{"id":"x"}\n`)).toEqual([a]);
  });
});

describe('JournalTail', () => {
  it('hands over only lines written after it started, across a rotation', () => {
    const dir = stateDir();
    const one = `${JSON.stringify(alert(0))}\n`.length;
    const journal = new Journal({ stateDir: dir, maxBytes: one * 2 + 10, retain: 3 });
    journal.append(alert(1));
    const tail = new JournalTail(dir);
    const b = alert(2);
    const c = alert(3);
    journal.append(b);
    journal.append(c); // rotates: b ends up in journal.1.jsonl
    expect(tail.poll().map((x) => x.id)).toEqual([b.id, c.id]);
    expect(tail.poll()).toEqual([]);
    journal.close();
  });

  it('waits for the rest of a line still being written', () => {
    const dir = stateDir();
    new Journal({ stateDir: dir }).close();
    const file = path.join(dir, 'alerts', 'journal.jsonl');
    const tail = new JournalTail(dir);
    const line = JSON.stringify(alert(1));
    writeFileSync(file, line.slice(0, 10));
    expect(tail.poll()).toEqual([]);
    writeFileSync(file, `${line}\n`);
    expect(tail.poll()).toHaveLength(1);
  });
});

describe('Journal group commit', () => {
  it('has each line in the file when append returns, before the end of turn fsync', () => {
    const dir = stateDir();
    const journal = new Journal({ stateDir: dir });
    const raised = [alert(1), alert(2), alert(3)];
    for (const a of raised) journal.append(a);
    // Read by path in the same turn: what a death of the agent now would leave on disk.
    const lines = parseJournalLines(readFileSync(path.join(dir, 'alerts', 'journal.jsonl'), 'utf8'));
    expect(lines.map((a) => a.id)).toEqual(raised.map((a) => a.id));
    journal.close();
  });
});
