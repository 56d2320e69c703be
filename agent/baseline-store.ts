// Baselines on disk: one JSON file per workload in <state_dir>/baselines/, written atomically
// (temp file in the same directory, fsync, rename, fsync the directory) so a crash leaves the old
// or the new baseline, never half of one. Lives in agent/ because detectors may not touch node:fs.
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { assertYamlDepth } from './yaml-depth.ts';
import { yaml } from './yaml.ts';
import { parseBaseline, type WorkloadBaseline } from '../detectors/index.ts';

/** Workload names hold slashes (shop/api): the file name encodes them. */
export function fileNameOf(workload: string): string {
  return `${encodeURIComponent(workload)}.json`;
}

export interface LoadResult {
  baselines: WorkloadBaseline[];
  /** Files that could not be read or failed validation, one line each. */
  errors: string[];
}

export class BaselineStore {
  readonly dir: string;

  constructor(stateDir: string) {
    this.dir = path.join(stateDir, 'baselines');
  }

  loadAll(): LoadResult {
    const result: LoadResult = { baselines: [], errors: [] };
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith('.json'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return result;
      throw error;
    }
    for (const name of names.sort()) {
      const file = path.join(this.dir, name);
      try {
        result.baselines.push(parseBaseline(JSON.parse(readFileSync(file, 'utf8'))));
      } catch (error) {
        result.errors.push(`${file}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
    }
    return result;
  }

  load(workload: string): WorkloadBaseline | null {
    try {
      return parseBaseline(JSON.parse(readFileSync(path.join(this.dir, fileNameOf(workload)), 'utf8')), workload);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  save(baseline: WorkloadBaseline): void {
    mkdirSync(this.dir, { recursive: true });
    const target = path.join(this.dir, fileNameOf(baseline.workload));
    const temp = `${target}.${process.pid}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeFileSync(fd, `${JSON.stringify(baseline, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
    const dirFd = openSync(this.dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  }

  remove(workload: string): boolean {
    const file = path.join(this.dir, fileNameOf(workload));
    try {
      rmSync(file);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }
}

/** Human-editable export: one YAML document per workload, learning scratch data left out. */
export function toYaml(baselines: readonly WorkloadBaseline[]): string {
  return baselines
    .map((b) => {
      const { resourceSamples: _samples, ...rest } = b;
      return `# shipwatch baseline for workload ${b.workload}; edit and import with \`shipwatch baseline import\`\n${yaml().stringify(rest)}`;
    })
    .join('---\n');
}

/** Parses one or more YAML documents into validated baselines (throws naming the bad path). */
export function fromYaml(text: string): WorkloadBaseline[] {
  const out: WorkloadBaseline[] = [];
  try {
    assertYamlDepth(text);
  } catch (error) {
    throw new Error(`not valid YAML: ${(error as Error).message}`);
  }
  for (const doc of yaml().parseAllDocuments(text)) {
    if ('errors' in doc && doc.errors.length > 0)
      throw new Error(`not valid YAML: ${doc.errors[0]?.message.split('\n')[0]}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) out.push(parseBaseline(value));
  }
  return out;
}
