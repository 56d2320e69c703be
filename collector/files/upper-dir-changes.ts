// One container's writes as file changes: raw inotify events on its overlay2 UpperDir, debounced
// per path (an `echo x > f` is create+modify+close), classified by the path's final state against
// what it was before (overlay-paths.ts), and a delete plus a create of the same inode in one window
// reported as one rename.
import { lstatSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { BoundedMap } from '../../core/bounded-map.ts';
import { ContainerWatch } from './container-watch.ts';
import type { DriftPaths } from './drift-paths.ts';
import type { FileOp } from '../events.ts';
import {
  classifyChange,
  containerPath,
  isWhiteout,
  lowerDirsOf,
  type Burst,
  type Known,
  type UpperState,
} from './overlay-paths.ts';

export interface UpperDirChangesOptions {
  containerId: string;
  upperDir: string;
  /** inotify watches (directories); past it the rest of the tree is not watched. */
  maxWatches: number;
  debounceMs: number;
  drift: DriftPaths;
  /** A change at a path as the container sees it; `from` for a rename. */
  onChange: (rel: string, op: FileOp, from?: string) => void;
  onOverflow: (watched: number) => void;
  /** Changed paths not reported because MAX_PENDING were waiting already (a write storm). */
  onLost: (count: number) => void;
}

/**
 * Paths waiting to be reported, per container. A container that writes faster than its changes
 * can be classified and reported (measured: a shell loop writes ~30 000 files a second) fills this;
 * past it further paths are counted as lost rather than held (memory) — and said so.
 */
const MAX_PENDING = 50_000;
/**
 * Most time one turn of classifying may take before the event loop serves other I/O: reported in
 * one go, a 20 000-file storm held the agent (and /healthz) for 1.7 s.
 */
const TURN_MS = 5;
/**
 * Paths whose mode and inode are remembered, per container: a container that made a million files
 * must not cost a million entries. Past it the least recently changed are forgotten, and a later
 * change of one is classified by what is on disk alone (a write may then read as a create).
 */
const MAX_KNOWN = 100_000;

interface Classified {
  rel: string;
  op: FileOp;
  now: UpperState;
  before: Known | undefined;
}

function upperState(full: string): UpperState {
  try {
    const stat = lstatSync(full);
    if (isWhiteout(stat)) return { kind: 'whiteout' };
    const kind = stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : 'other';
    return { kind, mode: stat.mode, ino: stat.ino };
  } catch {
    return { kind: 'missing' };
  }
}

export class UpperDirChanges {
  readonly #o: UpperDirChangesOptions;
  readonly #watch: ContainerWatch;
  readonly #lowerDirs: string[] = [];
  /** What each path was when last seen (to tell a chmod from a write), for at most MAX_KNOWN paths. */
  readonly #known = new BoundedMap<string, Known>(MAX_KNOWN);
  readonly #pending = new Map<string, Burst>();
  /** The debounced batch being classified, in turns; `#next` is where the next turn starts. */
  #batch: [string, Burst][] = [];
  #next = 0;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: UpperDirChangesOptions) {
    this.#o = options;
    try {
      this.#lowerDirs = lowerDirsOf(
        options.upperDir,
        readFileSync(path.join(path.dirname(options.upperDir), 'lower'), 'utf8'),
      );
    } catch {
      // A base layer has no `lower`; every path in the UpperDir is then new.
    }
    this.#watch = new ContainerWatch({
      upperDir: options.upperDir,
      maxWatches: options.maxWatches,
      onEvent: (full, type) => this.#raw(full, type),
      onOverflow: options.onOverflow,
    });
  }

  /** Watches the tree and remembers what is in it already (to tell a chmod from a write later). */
  start(): void {
    for (const file of this.#watch.add(this.#o.upperDir)) this.#remember(file);
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#watch.close();
  }

  #remember(full: string): void {
    const state = upperState(full);
    const rel = containerPath(this.#o.upperDir, full);
    if (rel && 'mode' in state) this.#known.set(rel, { mode: state.mode, ino: state.ino });
  }

  #raw(full: string, type: 'rename' | 'change'): void {
    const rel = containerPath(this.#o.upperDir, full);
    if (!rel || rel === '/') return;
    // Marked at once, before the debounce: an exec may follow the write within microseconds.
    this.#o.drift.add(this.#o.containerId, rel);
    let burst = this.#pending.get(rel);
    if (!burst && this.#pending.size + this.#batch.length - this.#next >= MAX_PENDING) return this.#o.onLost(1);
    burst ??= { renamed: false, changed: false };
    if (type === 'rename') burst.renamed = true;
    else burst.changed = true;
    this.#pending.set(rel, burst);
    this.#timer ??= setTimeout(() => this.#flush(), this.#o.debounceMs);
  }

  #lowerMode(rel: string): { mode: number } | null {
    for (const dir of this.#lowerDirs) {
      try {
        const stat = lstatSync(path.join(dir, rel));
        return isWhiteout(stat) ? null : { mode: stat.mode };
      } catch {
        // not in this layer
      }
    }
    return null;
  }

  #flush(): void {
    this.#timer = null;
    if (this.#closed) return;
    if (this.#next >= this.#batch.length) {
      this.#batch = [...this.#pending];
      this.#next = 0;
      this.#pending.clear();
    }
    const turnEnds = performance.now() + TURN_MS;
    const results: Classified[] = [];
    while (this.#next < this.#batch.length) {
      const [rel, burst] = this.#batch[this.#next++]!;
      const full = path.join(this.#o.upperDir, rel);
      const now = upperState(full);
      const before = this.#known.get(rel);
      const op = classifyChange(burst, now, before, this.#lowerMode(rel));
      if ('mode' in now) this.#known.set(rel, { mode: now.mode, ino: now.ino });
      else this.#known.delete(rel);
      if (now.kind === 'dir') {
        // New or copied-up directory: watch it, and report what was created in it before the watch.
        for (const file of this.#watch.add(full)) this.#raw(file, 'rename');
      } else if (now.kind !== 'file' && now.kind !== 'other') {
        this.#watch.remove(full);
        this.#o.drift.delete(this.#o.containerId, rel);
      }
      if (op) results.push({ rel, op, now, before });
      if (this.#next % 64 === 0 && performance.now() >= turnEnds) break;
    }
    this.#emitBatch(results);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#next < this.#batch.length) {
      this.#timer = setTimeout(() => this.#flush(), 0); // the rest of the batch, next turn
      return;
    }
    this.#batch = [];
    this.#next = 0;
    if (this.#pending.size > 0) this.#timer = setTimeout(() => this.#flush(), this.#o.debounceMs);
  }

  /** A path that vanished and one that appeared with its inode in the same window: one rename. */
  #emitBatch(results: Classified[]): void {
    const gone = new Map<number, string>();
    for (const r of results) if (r.op === 'delete' && r.before) gone.set(r.before.ino, r.rel);
    const renamedFrom = new Set<string>();
    for (const r of results) {
      if (r.op !== 'create' || !('ino' in r.now)) continue;
      const from = gone.get(r.now.ino);
      if (from === undefined) continue;
      renamedFrom.add(from);
      this.#o.onChange(r.rel, 'rename', from);
      r.op = 'rename';
    }
    for (const r of results) {
      if (r.op === 'rename' || renamedFrom.has(r.rel)) continue;
      this.#o.onChange(r.rel, r.op);
    }
  }
}
