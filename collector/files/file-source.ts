// The file source: what each running container writes, from inotify on its overlay2 UpperDir
// (everything a container writes lands there), with paths as the container sees them. Which
// containers are watched, and their health, is decided here; turning one container's raw events
// into debounced, classified changes is upper-dir-changes.ts. Changes made before we watched come
// from Docker's `GET /containers/{id}/changes`, marked `preexisting`.
import type Docker from 'dockerode';
import type { Health } from '../../core/health.ts';
import type { Logger } from '../../core/logger.ts';
import type { DriftPaths } from './drift-paths.ts';
import type { FileOp, ShipwatchEvent } from '../events.ts';
import { refOf, type Inventory } from '../inventory.ts';
import type { ContainerInfo } from '../inventory-types.ts';
import { UpperDirChanges } from './upper-dir-changes.ts';
import { upperFileSize } from './file-size.ts';

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
  changes: UpperDirChanges;
}

export class FileSource {
  readonly #o: FileSourceOptions;
  readonly #attached = new Map<string, Attached>();
  readonly #truncated = new Set<string>();
  /** Changes not reported because a container wrote faster than they could be (shipwatch_events_lost_total). */
  lost = 0;

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
    const attached: Attached = {
      info,
      changes: new UpperDirChanges({
        containerId: info.id,
        upperDir: info.upperDir,
        maxWatches: this.#o.maxWatches ?? 8192,
        debounceMs: this.#o.debounceMs ?? 150,
        drift: this.#o.drift,
        onChange: (rel, op, from) => this.#send(attached, rel, op, false, from),
        onOverflow: (watched) => {
          this.#truncated.add(info.id);
          this.#o.log.warn({ container: info.name, watched }, 'container tree too large to watch fully');
          this.#reportHealth();
        },
        onLost: (count) => {
          if (this.lost === 0) this.#o.log.warn({ container: info.name }, 'file changes lost to a write storm');
          this.lost += count;
          this.#reportHealth();
        },
      }),
    };
    this.#attached.set(info.id, attached);
    attached.changes.start();
    this.#reportHealth();
    void this.#emitPreexisting(attached);
  }

  #detach(id: string): void {
    const attached = this.#attached.get(id);
    if (!attached) return;
    attached.changes.close();
    this.#attached.delete(id);
    this.#truncated.delete(id);
    this.#o.drift.forget(id);
    this.#reportHealth();
  }

  #reportHealth(): void {
    const truncated = [...this.#truncated].map((id) => this.#attached.get(id)?.info.name ?? id);
    if (truncated.length > 0)
      this.#o.health.set('files', 'degraded', `tree too large to watch fully: ${truncated.join(', ')}`);
    else if (this.lost > 0) this.#o.health.set('files', 'degraded', `${this.lost} changes lost to write storms`);
    else this.#o.health.set('files', 'up', `watching ${this.#attached.size} containers`);
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
    const upperDir = attached.info.upperDir;
    if ((op === 'write' || op === 'create') && !preexisting && upperDir) {
      const size = upperFileSize(upperDir, rel);
      if (size !== undefined) event.size = size;
    }
    this.#o.emit(event);
  }
}
