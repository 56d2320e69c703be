// `shipwatch baseline show|export|import|reset [WORKLOAD]`. With no agent on the state directory
// they read the files, and import and reset write them holding its lock. With one running they go
// through its API (baseline-remote.ts): it keeps baselines in memory, the files may lag it, and it
// would overwrite files written beside it.
import { Command } from 'commander';
import type { ChangeFlags, StoreFlags } from './baseline-actions.ts';

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
  const actions = () => import('./baseline-actions.ts');
  const baseline = new Command('baseline').description('show, export, import or reset learned baselines');
  baseline.addCommand(
    withStoreOptions(
      new Command('show').argument('[workload]').description('list baselines, or print one as YAML'),
    ).action(async (workload: string | undefined, flags: StoreFlags) => (await actions()).show(workload, flags)),
  );
  baseline.addCommand(
    withStoreOptions(new Command('export').argument('[workload]').description('print baselines as editable YAML'))
      .option('--output <file>', 'write to a file instead of stdout')
      .action(async (workload: string | undefined, flags: StoreFlags & { output?: string }) =>
        (await actions()).exportBaselines(workload, flags),
      ),
  );
  baseline.addCommand(
    withChangeOptions(
      new Command('import').argument('[workload]').description('replace baselines from YAML (stdin or --file)'),
    )
      .option('--file <file>', 'read this file instead of stdin')
      .action(async (workload: string | undefined, flags: ChangeFlags & { file?: string }) =>
        (await actions()).importBaselines(workload, flags),
      ),
  );
  baseline.addCommand(
    withChangeOptions(
      new Command('reset').argument('[workload]').description('forget baselines: the workload learns again'),
    ).action(async (workload: string | undefined, flags: ChangeFlags) => (await actions()).reset(workload, flags)),
  );
  return baseline;
}
