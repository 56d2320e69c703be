// `shipwatch baseline show|export|import|reset [WORKLOAD]`. With no agent on the state directory
// they read the files, and import and reset write them holding its lock. With one running they go
// through its API (baseline-remote.ts): it keeps baselines in memory, the files may lag it, and it
// would overwrite files written beside it.
import { readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { BaselineStore, fromYaml, toYaml } from '../baseline-store.ts';
import { ShipwatchError } from '../../core/errors.ts';
import { loadConfig } from '../load-config.ts';
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

interface StoreFlags {
  config?: string;
  stateDir?: string;
}

interface ChangeFlags extends StoreFlags {
  tokenFile?: string;
}

/** The baselines `show` and `export` print: the running agent's, else the files'. */
async function read(flags: StoreFlags, workload: string | undefined): Promise<WorkloadBaseline[]> {
  const config = loadConfig({ config: flags.config, stateDir: flags.stateDir });
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
  const config = loadConfig({ config: flags.config, stateDir: flags.stateDir, tokenFile: flags.tokenFile });
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

function withStoreOptions(command: Command): Command {
  return command
    .option('--config <file>', 'YAML configuration file (for state_dir)')
    .option('--state-dir <dir>', 'state directory (default /var/lib/shipwatch)');
}

function withChangeOptions(command: Command): Command {
  return withStoreOptions(command).option(
    '--token-file <file>',
    'name:token file of the running agent, when one runs on the state directory',
  );
}

export function baselineCommand(): Command {
  const baseline = new Command('baseline').description('show, export, import or reset learned baselines');
  baseline.addCommand(
    withStoreOptions(
      new Command('show').argument('[workload]').description('list baselines, or print one as YAML'),
    ).action(async (workload: string | undefined, flags: StoreFlags) => {
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
    }),
  );
  baseline.addCommand(
    withStoreOptions(new Command('export').argument('[workload]').description('print baselines as editable YAML'))
      .option('--output <file>', 'write to a file instead of stdout')
      .action(async (workload: string | undefined, flags: StoreFlags & { output?: string }) => {
        const text = toYaml(await read(flags, workload));
        if (flags.output) writeFileSync(flags.output, text);
        else process.stdout.write(text);
      }),
  );
  baseline.addCommand(
    withChangeOptions(
      new Command('import').argument('[workload]').description('replace baselines from YAML (stdin or --file)'),
    )
      .option('--file <file>', 'read this file instead of stdin')
      .action(async (workload: string | undefined, flags: ChangeFlags & { file?: string }) => {
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
      }),
  );
  baseline.addCommand(
    withChangeOptions(
      new Command('reset').argument('[workload]').description('forget baselines: the workload learns again'),
    ).action(async (workload: string | undefined, flags: ChangeFlags) => {
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
    }),
  );
  return baseline;
}
