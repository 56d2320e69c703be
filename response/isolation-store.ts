// What isolation took away, kept in the state directory so that `release` restores it exactly,
// even after an agent restart: one JSON file per isolated container, written atomically.
import { mkdir, readdir, readFile, rename, rm, writeFile, open } from 'node:fs/promises';
import path from 'node:path';

export interface SavedNetwork {
  name: string;
  networkId: string;
  aliases: string[];
  links: string[];
  /** Addresses the user had pinned (IPAMConfig), re-pinned on release. */
  ipamIpv4: string | null;
  ipamIpv6: string | null;
  /** Addresses the container had, to pin on networks with a user-configured subnet and to check after. */
  ipv4: string | null;
  ipv6: string | null;
}

export interface IsolationRecord {
  containerId: string;
  name: string;
  workload: string;
  networks: SavedNetwork[];
  paused: boolean;
  reason: string | null;
  actor: string;
  alertId: string | null;
  isolatedAt: string;
}

export class IsolationStore {
  readonly #dir: string;

  constructor(stateDir: string) {
    this.#dir = path.join(stateDir, 'isolations');
  }

  #file(containerId: string): string {
    return path.join(this.#dir, `${containerId}.json`);
  }

  async get(containerId: string): Promise<IsolationRecord | null> {
    try {
      return JSON.parse(await readFile(this.#file(containerId), 'utf8')) as IsolationRecord;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async all(): Promise<IsolationRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.#dir);
    } catch {
      return [];
    }
    const records = await Promise.all(names.filter((n) => n.endsWith('.json')).map((n) => this.get(n.slice(0, -5))));
    return records.filter((r): r is IsolationRecord => r !== null);
  }

  /** Temp file, fsync, rename: a crash leaves the old record or the new one, never half of one. */
  async put(record: IsolationRecord): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    const target = this.#file(record.containerId);
    const temp = `${target}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(record, null, 2));
    const handle = await open(temp, 'r');
    await handle.sync();
    await handle.close();
    await rename(temp, target);
  }

  async delete(containerId: string): Promise<void> {
    await rm(this.#file(containerId), { force: true });
  }
}
