// `shipwatch baseline show|export|import|reset [WORKLOAD]`: works on the state directory directly,
// so it runs with or without an agent. A running agent keeps its baselines in memory: use
// PUT/DELETE /api/baselines/{workload} against it, or restart it after an import or reset.
import { readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { BaselineStore, fromYaml, toYaml } from './baseline-store.ts';
import { ShipwatchError } from './errors.ts';
import { loadConfig } from './load-config.ts';
import { phaseOf, type WorkloadBaseline } from '../detectors/baseline.ts';

interface StoreFlags {
  config?: string;
  stateDir?: string;
}

function openStore(flags: StoreFlags): BaselineStore {
  const config = loadConfig({ config: flags.config, stateDir: flags.stateDir });
  return new BaselineStore(config.state_dir);
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

export function baselineCommand(): Command {
  const baseline = new Command('baseline').description('show, export, import or reset learned baselines');
  baseline.addCommand(
    withStoreOptions(
      new Command('show').argument('[workload]').description('list baselines, or print one as YAML'),
    ).action((workload: string | undefined, flags: StoreFlags) => {
      const list = select(openStore(flags), workload);
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
      .action((workload: string | undefined, flags: StoreFlags & { output?: string }) => {
        const text = toYaml(select(openStore(flags), workload));
        if (flags.output) writeFileSync(flags.output, text);
        else process.stdout.write(text);
      }),
  );
  baseline.addCommand(
    withStoreOptions(
      new Command('import').argument('[workload]').description('replace baselines from YAML (stdin or --file)'),
    )
      .option('--file <file>', 'read this file instead of stdin')
      .action((workload: string | undefined, flags: StoreFlags & { file?: string }) => {
        const store = openStore(flags);
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
        for (const b of list) {
          store.save(b);
          process.stdout.write(`imported ${b.workload}\n`);
        }
      }),
  );
  baseline.addCommand(
    withStoreOptions(
      new Command('reset').argument('[workload]').description('forget baselines: the workload learns again'),
    ).action((workload: string | undefined, flags: StoreFlags) => {
      const store = openStore(flags);
      for (const b of select(store, workload)) {
        store.remove(b.workload);
        process.stdout.write(`reset ${b.workload}\n`);
      }
    }),
  );
  return baseline;
}
