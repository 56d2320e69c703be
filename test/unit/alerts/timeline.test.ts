import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContainerRef, ShipwatchEvent } from '../../../collector/events.ts';
import { readTimeline, timelineRoot, Timelines } from '../../../alerts/timeline.ts';

const dirs: string[] = [];
const stateDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-timeline-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const ref = (n: number): ContainerRef => ({
  id: n.toString(16).padStart(64, 'c'),
  name: `app-${n}`,
  image: 'app:1',
  workload: 'app',
});
const T0 = Date.parse('2026-11-23T04:00:00Z');
const exec = (container: ContainerRef, at: number, argv = ['sh', '-c', 'id']): ShipwatchEvent => ({
  kind: 'process.exec',
  at,
  host: 'h',
  container,
  process: { pid: 10, ppid: 1, uid: 0, exe: '/bin/sh', argv, parentExe: null, execId: null },
});
const removed = (container: ContainerRef, at: number): ShipwatchEvent => ({
  kind: 'container.removed',
  at,
  host: 'h',
  container,
});
const settings = { keep_after_removal: 3_600_000, max_bytes: 4096, max_containers: 3 };

describe('Timelines', () => {
  it("keeps a removed container's execs with their argv, readable by name", () => {
    const dir = stateDir();
    const timelines = new Timelines(dir, settings);
    timelines.onEvent(exec(ref(1), T0, ['sh', '-c', 'wget http://x/y']));
    timelines.onEvent(removed(ref(1), T0 + 1000));
    const timeline = readTimeline(dir, 'app-1');
    expect(timeline?.container.removedAt).toBe(T0 + 1000);
    expect(timeline?.entries.map((e) => e.kind)).toEqual(['exec', 'docker']);
    expect(timeline?.entries[0]).toMatchObject({ argv: ['sh', '-c', 'wget http://x/y'] });
  });

  it('keeps a timeline removed when an entry of the container comes after its removal', () => {
    const dir = stateDir();
    const timelines = new Timelines(dir, settings);
    timelines.onEvent(exec(ref(1), T0));
    timelines.onEvent(removed(ref(1), T0 + 1000));
    // A late exec (or a flow ended by timeout) of the removed container.
    timelines.onEvent(exec(ref(1), T0 + 2000, ['sh', '-c', 'late']));
    const timeline = readTimeline(dir, 'app-1');
    expect(timeline?.container.removedAt).toBe(T0 + 1000);
    expect(timeline?.entries.map((e) => e.at)).toEqual([T0, T0 + 1000, T0 + 2000]);
  });

  it('deletes a timeline once it has been removed for longer than keep_after_removal', () => {
    const dir = stateDir();
    const timelines = new Timelines(dir, settings);
    timelines.onEvent(exec(ref(1), T0));
    timelines.onEvent(removed(ref(1), T0));
    timelines.sweep(T0 + 3_000_000, () => false);
    expect(readTimeline(dir, 'app-1')).not.toBeNull();
    timelines.sweep(T0 + 3_700_000, () => false);
    expect(readTimeline(dir, 'app-1')).toBeNull();
  });

  it('keeps at most max_containers timelines, dropping the longest-removed first', () => {
    const dir = stateDir();
    const timelines = new Timelines(dir, settings);
    for (let n = 1; n <= 5; n++) timelines.onEvent(exec(ref(n), T0 + n));
    timelines.onEvent(removed(ref(2), T0 + 10));
    timelines.onEvent(removed(ref(1), T0 + 20));
    timelines.sweep(T0 + 30, (id) => id !== ref(1).id && id !== ref(2).id);
    expect(readdirSync(timelineRoot(dir))).toHaveLength(3);
    expect(readTimeline(dir, 'app-2')).toBeNull();
    expect(readTimeline(dir, 'app-1')).toBeNull();
    expect(readTimeline(dir, 'app-5')).not.toBeNull();
  });

  it('bounds one busy container to two files of max_bytes, keeping its newest entries', () => {
    const dir = stateDir();
    const timelines = new Timelines(dir, settings);
    for (let i = 0; i < 5000; i++) timelines.onEvent(exec(ref(1), T0 + i, ['sh', '-c', `echo ${i}`]));
    const entries = readTimeline(dir, 'app-1')?.entries ?? [];
    expect(entries.length).toBeGreaterThan(10);
    expect(entries.length).toBeLessThan(5000);
    expect(entries.at(-1)?.at).toBe(T0 + 4999);
    const files = readdirSync(path.join(timelineRoot(dir), ref(1).id));
    expect(files.sort()).toEqual(['meta.json', 'timeline.1.jsonl', 'timeline.jsonl']);
  });
});
