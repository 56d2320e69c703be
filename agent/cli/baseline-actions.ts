// What `shipwatch baseline` does, imported only when one of its commands runs (baseline.ts
// defines them): the store, the YAML and the baseline schema are not needed to print help.
import { readFileSync, writeFileSync } from 'node:fs';
import { BaselineStore, fromYaml, toYaml } from '../baseline-store.ts';
import { ShipwatchError } from '../../core/errors.ts';
import { loadConfigLazily } from './lazy-config.ts';
import {
  announce,
  baselinesFromAgent,
  importThroughAgent,
  lockOrAgent,
  resetThroughAgent,
  runningAgent,
  type RunningAgent,
} from './baseline-remote.ts';
import { phaseOf, type WorkloadBaseline } from '../../detectors/baseline.ts';

export interface StoreFlags {
  config?: string;
  stateDir?: string;
}

export interface ChangeFlags extends StoreFlags {
  tokenFile?: string;
}

/** The baselines `show` and `export` print: the running agent's, else the files'. */
async function read(flags: StoreFlags, workload: string | undefined): Promise<WorkloadBaseline[]> {
  const config = await loadConfigLazily({ config: flags.config, stateDir: flags.stateDir });
  const agent = runningAgent(config);
  if (agent) return baselinesFromAgent(agent, workload);
  return select(new BaselineStore(config.state_dir), workload);
}

/** Runs `local` on the store holding the state dir's lock, or `remote` through the agent holding it. */
async function change(
  flags: ChangeFlags,
  command: string,
  local: (store: BaselineStore) => void,
  remote: (agent: RunningAgent) => Promise<void>,
): Promise<void> {
  const config = await loadConfigLazily({ config: flags.config, stateDir: flags.stateDir, tokenFile: flags.tokenFile });
  const target = await lockOrAgent(config, command);
  if ('agent' in target) {
    await remote(target.agent);
    announce(target.agent, config.state_dir);
    return;
  }
  try {
    local(new BaselineStore(config.state_dir));
  } finally {
    target.lock.release();
  }
}

function select(store: BaselineStore, workload: string | undefined): WorkloadBaseline[] {
  const { baselines, errors } = store.loadAll();
  for (const error of errors) process.stderr.write(`shipwatch: skipped ${error}\n`);
  if (workload === undefined) return baselines;
  const one = baselines.filter((b) => b.workload === workload);
  if (one.length === 0) throw new ShipwatchError('SW_USAGE', `no baseline for workload ${workload} in ${store.dir}`);
  return one;
}

export async function show(workload: string | undefined, flags: StoreFlags): Promise<void> {
  const list = await read(flags, workload);
  if (workload !== undefined) {
    process.stdout.write(toYaml(list));
    return;
  }
  const now = Date.now();
  for (const b of list) {
    process.stdout.write(
      `${b.workload}\t${phaseOf(b, now)}\t${b.mode}\tegress=${b.egress.length} peers=${b.peers.length} executables=${b.executables.length} paths=${b.pathPrefixes.length}\n`,
    );
  }
}

export async function exportBaselines(
  workload: string | undefined,
  flags: StoreFlags & { output?: string },
): Promise<void> {
  const text = toYaml(await read(flags, workload));
  if (flags.output) writeFileSync(flags.output, text);
  else process.stdout.write(text);
}

export async function importBaselines(
  workload: string | undefined,
  flags: ChangeFlags & { file?: string },
): Promise<void> {
  let list: WorkloadBaseline[];
  try {
    list = fromYaml(readFileSync(flags.file ?? 0, 'utf8'));
  } catch (error) {
    throw new ShipwatchError(
      'SW_USAGE',
      `invalid baseline: ${error instanceof Error ? error.message.split('\n').join(' ') : String(error)}`,
    );
  }
  if (workload !== undefined) list = list.filter((b) => b.workload === workload);
  if (list.length === 0) throw new ShipwatchError('SW_USAGE', 'no baseline to import');
  await change(
    flags,
    'baseline import',
    (store) => {
      for (const b of list) {
        store.save(b);
        process.stdout.write(`imported ${b.workload}\n`);
      }
    },
    (agent) => importThroughAgent(agent, list),
  );
}

export async function reset(workload: string | undefined, flags: ChangeFlags): Promise<void> {
  await change(
    flags,
    'baseline reset',
    (store) => {
      for (const b of select(store, workload)) {
        store.remove(b.workload);
        process.stdout.write(`reset ${b.workload}\n`);
      }
    },
    (agent) => resetThroughAgent(agent, workload),
  );
}
