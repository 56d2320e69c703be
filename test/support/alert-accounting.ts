// "Nothing lost", as the fault tests of issue 16 check it: the alerts the agent raised (ids of new
// alerts on its stdout), the alerts in its journal and the alerts each receiver accepted, by id.
import { readFileSync } from 'node:fs';
import path from 'node:path';

type LogLine = Record<string, unknown>;

/** Ids of new alerts on stdout, first seen first: `alert` lines, and those the journal refused. */
export function raisedIds(logs: readonly LogLine[]): string[] {
  const ids = logs
    .filter((l) => (l.msg === 'alert' || l.msg === 'alert journal write failed') && l.repeat === false)
    .map((l) => String(l.id));
  return [...new Set(ids)];
}

/** Distinct alert ids in the active journal file, by first line; throws on a torn line. */
export function journalledIds(stateDir: string): string[] {
  const text = readFileSync(path.join(stateDir, 'alerts', 'journal.jsonl'), 'utf8');
  const ids = text
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { id: string }).id);
  return [...new Set(ids)];
}

export interface Accounting {
  raised: string[];
  journalled: string[];
  /** Per sink: raised alerts it accepted exactly once. */
  deliveredOnce: Record<string, string[]>;
  /** Per sink: ids it accepted more than once. */
  duplicates: Record<string, string[]>;
  /** `raised N, journalled N, delivered once (sink) N, duplicates (sink) N`. */
  line: string;
}

/**
 * Reads the three sides. Call once delivery has settled: `raised` is read after the journal, so an
 * alert raised meanwhile is on both sides or on stdout only (it is journalled before it is logged).
 */
export function accountAlerts(stateDir: string, logs: readonly LogLine[], sinks: Record<string, string[]>): Accounting {
  const journalled = journalledIds(stateDir);
  const raised = raisedIds(logs);
  const deliveredOnce: Record<string, string[]> = {};
  const duplicates: Record<string, string[]> = {};
  const parts = [`raised ${raised.length}`, `journalled ${journalled.length}`];
  for (const [sink, accepted] of Object.entries(sinks)) {
    const times = new Map<string, number>();
    for (const id of accepted) times.set(id, (times.get(id) ?? 0) + 1);
    deliveredOnce[sink] = raised.filter((id) => times.get(id) === 1);
    duplicates[sink] = [...times].filter(([, n]) => n > 1).map(([id]) => id);
    parts.push(
      `delivered once (${sink}) ${deliveredOnce[sink].length}`,
      `duplicates (${sink}) ${duplicates[sink].length}`,
    );
  }
  return { raised, journalled, deliveredOnce, duplicates, line: parts.join(', ') };
}
