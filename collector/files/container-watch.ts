// inotify watches (one fs.watch per directory) on one container's overlay2 UpperDir. One watch
// per directory rather than `recursive: true` so the number of kernel watches is ours to bound
// and to report: a container unpacking a huge tree must not exhaust fs.inotify.max_user_watches.
import { watch, readdirSync, type FSWatcher } from 'node:fs';
import path from 'node:path';

export interface ContainerWatchOptions {
  upperDir: string;
  maxWatches: number;
  /** A raw event on an absolute path under the UpperDir. */
  onEvent: (fullPath: string, type: 'rename' | 'change') => void;
  onOverflow: (watched: number) => void;
}

export class ContainerWatch {
  readonly #o: ContainerWatchOptions;
  readonly #watchers = new Map<string, FSWatcher>();
  #overflowed = false;

  constructor(options: ContainerWatchOptions) {
    this.#o = options;
  }

  get watched(): number {
    return this.#watchers.size;
  }

  get complete(): boolean {
    return !this.#overflowed;
  }

  /** Watches dir and every directory below it (breadth-first, until the bound); returns the files found. */
  add(dir: string): string[] {
    const files: string[] = [];
    const queue = [dir];
    while (queue.length > 0) {
      const current = queue.shift() as string;
      if (this.#watchers.has(current)) continue;
      if (this.#watchers.size >= this.#o.maxWatches) {
        if (!this.#overflowed) this.#o.onOverflow(this.#watchers.size);
        this.#overflowed = true;
        return files;
      }
      let watcher: FSWatcher;
      try {
        watcher = watch(current, { persistent: false }, (type, name) => {
          if (name) this.#o.onEvent(path.join(current, name.toString()), type);
        });
      } catch {
        continue; // vanished between the event and the watch
      }
      watcher.on('error', () => this.remove(current));
      this.#watchers.set(current, watcher);
      let entries;
      try {
        entries = readdirSync(current, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const entry of entries) {
        const full = path.join(current, entry.name);
        if (entry.isDirectory()) queue.push(full);
        else files.push(full);
      }
    }
    return files;
  }

  /** Stops watching dir and everything below it (the directory was deleted). */
  remove(dir: string): void {
    for (const [watched, watcher] of this.#watchers) {
      if (watched === dir || watched.startsWith(dir + path.sep)) {
        watcher.close();
        this.#watchers.delete(watched);
      }
    }
  }

  close(): void {
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
  }
}
