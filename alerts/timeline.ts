// Per-container timelines on disk: `<state_dir>/timeline/<container id>/` holds the entries
// (timeline-entry.ts) as rotated JSON lines and `meta.json` (name, image, workload, when it was
// removed). A removed container's timeline is kept for `keep_after_removal`, then deleted; at most
// `max_containers` timelines are kept (the longest-removed go first), each at most
// 2 × `max_bytes`. That is the record a responder needs after `docker rm`.
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ContainerRef, ShipwatchEvent } from '../collector/events.ts';
import type { Alert } from './alert.ts';
import { readLog, RotatingLog } from './rotating-log.ts';
import { alertEntry, timelineEntries, type TimelineEntry } from './timeline-entry.ts';

export interface TimelineSettings {
  /** ms a removed container's timeline is kept. */
  readonly keep_after_removal: number;
  /** Bytes per timeline file; one rotated file is kept besides the active one. */
  readonly max_bytes: number;
  readonly max_containers: number;
}

export interface TimelineMeta extends ContainerRef {
  /** epoch ms, null while the container exists. */
  removedAt: number | null;
}

const RETAIN = 1;
export const timelineRoot = (stateDir: string): string => path.join(stateDir, 'timeline');

const isEntry = (value: unknown): value is TimelineEntry =>
  typeof value === 'object' && value !== null && typeof (value as TimelineEntry).at === 'number';

function readMeta(dir: string): TimelineMeta | null {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as TimelineMeta;
  } catch {
    return null;
  }
}

/** Every timeline's directory and meta. */
function timelines(stateDir: string): { dir: string; meta: TimelineMeta }[] {
  const root = timelineRoot(stateDir);
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((name) => {
    const dir = path.join(root, name);
    const meta = readMeta(dir);
    return meta ? [{ dir, meta }] : [];
  });
}

/** A container's timeline by id, id prefix (4+) or name, entries oldest first; null when unknown. */
export function readTimeline(
  stateDir: string,
  key: string,
  since?: number,
): { container: TimelineMeta; entries: TimelineEntry[] } | null {
  const all = timelines(stateDir);
  const found =
    all.find((t) => t.meta.id === key) ??
    all.find((t) => key.length >= 4 && t.meta.id.startsWith(key)) ??
    // A name can be reused by a later container: the current one (or the latest removed) wins.
    all
      .filter((t) => t.meta.name === key)
      .sort((a, b) => (b.meta.removedAt ?? Infinity) - (a.meta.removedAt ?? Infinity))[0];
  if (!found) return null;
  const entries = readLog(found.dir, 'timeline', RETAIN, isEntry).filter((e) => since === undefined || e.at >= since);
  return { container: found.meta, entries };
}

export class Timelines {
  readonly #stateDir: string;
  readonly #settings: TimelineSettings;
  readonly #open = new Map<string, { log: RotatingLog; meta: TimelineMeta }>();

  constructor(stateDir: string, settings: TimelineSettings) {
    this.#stateDir = stateDir;
    this.#settings = settings;
  }

  onEvent(event: ShipwatchEvent): void {
    for (const [ref, entry] of timelineEntries(event)) this.#append(ref, entry);
    if (event.kind === 'container.removed') this.#markRemoved(event.container.id, event.at);
  }

  onAlert(alert: Alert): void {
    if (alert.container) this.#append(alert.container, alertEntry(alert));
  }

  /**
   * Deletes timelines removed longer ago than the keep time, then the longest-removed past
   * max_containers. `alive` tells which containers exist: one that vanished while the agent was
   * down is marked removed now.
   */
  sweep(now: number, alive: (id: string) => boolean): void {
    const all = timelines(this.#stateDir);
    for (const t of all) {
      if (t.meta.removedAt === null && !alive(t.meta.id) && !this.#open.has(t.meta.id)) {
        t.meta.removedAt = now;
        writeFileSync(path.join(t.dir, 'meta.json'), JSON.stringify(t.meta));
      }
    }
    const kept = all.filter((t) => {
      const expired = t.meta.removedAt !== null && now - t.meta.removedAt > this.#settings.keep_after_removal;
      if (expired) this.#delete(t.dir, t.meta.id);
      return !expired;
    });
    const excess = kept.length - this.#settings.max_containers;
    if (excess <= 0) return;
    const order = (t: { dir: string; meta: TimelineMeta }) => t.meta.removedAt ?? Infinity;
    for (const t of kept
      .sort((a, b) => order(a) - order(b) || statSync(a.dir).mtimeMs - statSync(b.dir).mtimeMs)
      .slice(0, excess)) {
      this.#delete(t.dir, t.meta.id);
    }
  }

  read(key: string, since?: number): ReturnType<typeof readTimeline> {
    return readTimeline(this.#stateDir, key, since);
  }

  #delete(dir: string, id: string): void {
    this.#open.get(id)?.log.close();
    rmSync(dir, { recursive: true, force: true });
    this.#open.delete(id);
  }

  #append(ref: ContainerRef, entry: TimelineEntry): void {
    const open = this.#open.get(ref.id);
    if (open) {
      open.log.append(entry);
      return;
    }
    const dir = path.join(timelineRoot(this.#stateDir), ref.id.replace(/[^a-zA-Z0-9]/g, ''));
    const { max_bytes: maxBytes } = this.#settings;
    const log = new RotatingLog({ dir, base: 'timeline', maxBytes, retain: RETAIN, buffered: true });
    // An entry can come after the container's removal: a flow that ends by timeout, an exec the
    // proc connector reported late. It joins the removed timeline, which stays removed (and closed).
    const earlier = readMeta(dir);
    if (earlier?.id === ref.id && earlier.removedAt !== null) {
      log.append(entry);
      log.close();
      return;
    }
    const meta: TimelineMeta = {
      id: ref.id,
      name: ref.name,
      image: ref.image,
      workload: ref.workload,
      removedAt: null,
    };
    writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(meta));
    this.#open.set(ref.id, { log, meta });
    log.append(entry);
  }

  #markRemoved(id: string, at: number): void {
    const open = this.#open.get(id);
    if (!open) return;
    open.meta.removedAt = at;
    const dir = path.join(timelineRoot(this.#stateDir), id.replace(/[^a-zA-Z0-9]/g, ''));
    writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(open.meta));
    open.log.close();
    this.#open.delete(id);
  }
}
