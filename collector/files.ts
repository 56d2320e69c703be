// The file source: what each running container writes, from inotify on its overlay2 UpperDir
// (everything a container writes lands there), with paths as the container sees them. Bursts of
// raw events per path are debounced into one event (an `echo x > f` is create+modify+close), and
// the final state of the path decides the operation (overlay-paths.ts). Changes made before we
// watched come from Docker's `GET /containers/{id}/changes`, marked `preexisting`.
import type Docker from 'dockerode';
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Health } from '../agent/health.ts';
import type { Logger } from '../agent/logger.ts';
import { ContainerWatch } from './container-watch.ts';
import type { DriftPaths } from './drift-paths.ts';
import type { FileOp, ShipwatchEvent } from './events.ts';
import { refOf, type Inventory } from './inventory.ts';
import type { ContainerInfo } from './inventory-types.ts';
import {
  classifyChange,
  containerPath,
  isWhiteout,
  lowerDirsOf,
  type Burst,
  type Known,
  type UpperState,
} from './overlay-paths.ts';

export interface FileSourceOptions {
  docker: Docker;
  inventory: Inventory;
  host: string;
  health: Health;
  log: Logger;
  emit: (event: ShipwatchEvent) => void;
  drift: DriftPaths;
  /** inotify watches (directories) per container; past it the rest of the tree is not watched. */
  maxWatches?: number;
  /** A burst of events on one path becomes one event after this long (well inside the 1 s target). */
  debounceMs?: number;
}

/** Docker's change kinds (GET /containers/{id}/changes). */
const CHANGE_KINDS: Record<number, FileOp> = { 0: 'write', 1: 'create', 2: 'delete' };

interface Attached {
  info: ContainerInfo;
  watch: ContainerWatch;
  lowerDirs: string[];
  known: Map<string, Known>;
  pending: Map<string, Burst>;
  timer: NodeJS.Timeout | null;
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

export class FileSource {
  readonly #o: FileSourceOptions;
  readonly #attached = new Map<string, Attached>();
  readonly #truncated = new Set<string>();

  constructor(options: FileSourceOptions) {
    this.#o = options;
  }

  start(): void {
    this.#o.health.set('files', 'up', 'watching 0 containers');
    for (const info of this.#o.inventory.containers()) if (info.state === 'running') this.#attach(info);
  }

  stop(): void {
    for (const id of [...this.#attached.keys()]) this.#detach(id);
  }

  /** Bus subscriber: attach on start, detach on stop. */
  readonly observe = (event: ShipwatchEvent): void => {
    if (event.kind === 'container.started') this.#attach(event.info);
    else if (event.kind === 'container.stopped' || event.kind === 'container.removed') this.#detach(event.container.id);
  };

  #attach(info: ContainerInfo): void {
    if (this.#attached.has(info.id) || !info.upperDir) return;
    const upperDir = info.upperDir;
    let lowerDirs: string[] = [];
    try {
      lowerDirs = lowerDirsOf(upperDir, readFileSync(path.join(path.dirname(upperDir), 'lower'), 'utf8'));
    } catch {
      // A base layer has no `lower`; every path in the UpperDir is then new.
    }
    const attached: Attached = {
      info,
      lowerDirs,
      known: new Map(),
      pending: new Map(),
      timer: null,
      watch: new ContainerWatch({
        upperDir,
        maxWatches: this.#o.maxWatches ?? 8192,
        onEvent: (full, type) => this.#raw(attached, full, type),
        onOverflow: (watched) => {
          this.#truncated.add(info.id);
          this.#o.log.warn({ container: info.name, watched }, 'container tree too large to watch fully');
          this.#reportHealth();
        },
      }),
    };
    this.#attached.set(info.id, attached);
    for (const file of attached.watch.add(upperDir)) this.#remember(attached, file);
    this.#reportHealth();
    void this.#emitPreexisting(attached);
  }

  #detach(id: string): void {
    const attached = this.#attached.get(id);
    if (!attached) return;
    if (attached.timer) clearTimeout(attached.timer);
    attached.watch.close();
    this.#attached.delete(id);
    this.#truncated.delete(id);
    this.#o.drift.forget(id);
    this.#reportHealth();
  }

  #reportHealth(): void {
    const truncated = [...this.#truncated].map((id) => this.#attached.get(id)?.info.name ?? id);
    if (truncated.length > 0)
      this.#o.health.set('files', 'degraded', `tree too large to watch fully: ${truncated.join(', ')}`);
    else this.#o.health.set('files', 'up', `watching ${this.#attached.size} containers`);
  }

  #remember(attached: Attached, full: string): void {
    const state = upperState(full);
    const rel = containerPath(attached.info.upperDir ?? '', full);
    if (rel && 'mode' in state) attached.known.set(rel, { mode: state.mode, ino: state.ino });
  }

  async #emitPreexisting(attached: Attached): Promise<void> {
    let changes: { Path: string; Kind: number }[] | null;
    try {
      changes = (await this.#o.docker.getContainer(attached.info.id).changes()) as typeof changes;
    } catch (error) {
      this.#o.log.debug({ err: error, container: attached.info.name }, 'cannot read container changes');
      return;
    }
    if (this.#attached.get(attached.info.id) !== attached) return;
    for (const change of changes ?? []) {
      const op = CHANGE_KINDS[change.Kind];
      if (!op) continue;
      if (op !== 'delete') this.#o.drift.add(attached.info.id, change.Path);
      this.#send(attached, change.Path, op, true);
    }
  }

  #raw(attached: Attached, full: string, type: 'rename' | 'change'): void {
    const rel = containerPath(attached.info.upperDir ?? '', full);
    if (!rel || rel === '/') return;
    // Marked at once, before the debounce: an exec may follow the write within microseconds.
    this.#o.drift.add(attached.info.id, rel);
    const burst = attached.pending.get(rel) ?? { renamed: false, changed: false };
    if (type === 'rename') burst.renamed = true;
    else burst.changed = true;
    attached.pending.set(rel, burst);
    attached.timer ??= setTimeout(() => this.#flush(attached), this.#o.debounceMs ?? 150);
  }

  #lowerMode(attached: Attached, rel: string): { mode: number } | null {
    for (const dir of attached.lowerDirs) {
      try {
        const stat = lstatSync(path.join(dir, rel));
        return isWhiteout(stat) ? null : { mode: stat.mode };
      } catch {
        // not in this layer
      }
    }
    return null;
  }

  #flush(attached: Attached): void {
    attached.timer = null;
    if (this.#attached.get(attached.info.id) !== attached) return;
    const upperDir = attached.info.upperDir ?? '';
    const batch = [...attached.pending];
    attached.pending.clear();
    const results: { rel: string; op: FileOp; now: UpperState; before: Known | undefined }[] = [];
    for (const [rel, burst] of batch) {
      const full = path.join(upperDir, rel);
      const now = upperState(full);
      const before = attached.known.get(rel);
      const op = classifyChange(burst, now, before, this.#lowerMode(attached, rel));
      if ('mode' in now) attached.known.set(rel, { mode: now.mode, ino: now.ino });
      else attached.known.delete(rel);
      if (now.kind === 'dir') {
        // New or copied-up directory: watch it, and report what was created in it before the watch.
        for (const file of attached.watch.add(full)) this.#raw(attached, file, 'rename');
      } else if (now.kind !== 'file' && now.kind !== 'other') {
        attached.watch.remove(full);
        this.#o.drift.delete(attached.info.id, rel);
      }
      if (op) results.push({ rel, op, now, before });
    }
    this.#emitBatch(attached, results);
  }

  /** A path that vanished and one that appeared with its inode in the same window: one rename. */
  #emitBatch(
    attached: Attached,
    results: { rel: string; op: FileOp; now: UpperState; before: Known | undefined }[],
  ): void {
    const gone = new Map<number, string>();
    for (const r of results) if (r.op === 'delete' && r.before) gone.set(r.before.ino, r.rel);
    const renamedFrom = new Set<string>();
    for (const r of results) {
      if (r.op !== 'create' || !('ino' in r.now)) continue;
      const from = gone.get(r.now.ino);
      if (from === undefined) continue;
      renamedFrom.add(from);
      this.#send(attached, r.rel, 'rename', false, from);
      r.op = 'rename';
    }
    for (const r of results) {
      if (r.op === 'rename' || renamedFrom.has(r.rel)) continue;
      this.#send(attached, r.rel, r.op, false);
    }
  }

  #send(attached: Attached, rel: string, op: FileOp, preexisting: boolean, from?: string): void {
    const info = this.#o.inventory.container(attached.info.id) ?? attached.info;
    const event: ShipwatchEvent = {
      kind: 'file.changed',
      at: Date.now(),
      host: this.#o.host,
      container: refOf(info),
      path: rel,
      op,
      preexisting,
    };
    if (from !== undefined) event.from = from;
    this.#o.emit(event);
  }
}
