// `shipwatch flows [--since 1h] [--container C] [--workload W] [--dst D] [--json]`: ended flows
// from the flow history in the state directory, oldest first, read-only: "who talked to whom an
// hour ago", also while the agent is down.
import { Command } from 'commander';
import { queryFlowHistory, type EndedFlow, type HistoryEndpoint } from '../../alerts/flow-history.ts';
import { loadStateDir } from './lazy-config.ts';
import { printable, sinceFlag, withStateFlags, type StateFlags } from './forensic-flags.ts';

const end = (e: HistoryEndpoint) => `${e.name ?? e.dns ?? e.ip}${e.port === null ? '' : `:${e.port}`}`;

const line = (f: EndedFlow) =>
  printable(
    `${f.time}  ${f.protocol} ${end(f.src)} -> ${end(f.dst)} on ${f.network}  ` +
      `${f.bytesOut}/${f.bytesIn} bytes, ${f.packetsOut}/${f.packetsIn} packets out/in, ${f.ended}`,
  );

export function flowsCommand(): Command {
  return withStateFlags(new Command('flows'))
    .description('print ended flows from the flow history (oldest first)')
    .option('--container <name or id>', 'only flows of this container (either end)')
    .option('--workload <workload>', 'only flows of this workload (either end)')
    .option('--dst <ip or name>', 'only flows to this destination (IP, DNS name or container name)')
    .option('--json', 'one JSON flow per line')
    .action(async (flags: StateFlags & { container?: string; workload?: string; dst?: string }) => {
      const stateDir = await loadStateDir({ config: flags.config, stateDir: flags.stateDir });
      const flows = queryFlowHistory(stateDir, {
        since: sinceFlag(flags.since),
        container: flags.container,
        workload: flags.workload,
        dst: flags.dst,
      });
      for (const flow of flows.reverse()) process.stdout.write(`${flags.json ? JSON.stringify(flow) : line(flow)}\n`);
    });
}
