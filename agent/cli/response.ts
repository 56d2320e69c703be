// `shipwatch isolate` and `shipwatch release`: thin clients of the running agent's API.
import { Command } from 'commander';
import { AgentClient } from './api-client.ts';
import { currentUser } from '../env.ts';
import { ShipwatchError } from '../../core/errors.ts';
import { loadConfigLazily } from './lazy-config.ts';

interface ClientFlags {
  config?: string;
  listen?: string;
  tokenFile?: string;
  reason?: string;
  pause?: boolean;
  json?: boolean;
  host?: string;
}

interface ActionReply {
  error?: { code: string; message: string };
  changed?: boolean;
  record?: { name: string; networks: { name: string }[]; paused: boolean };
  warnings?: string[];
}

function withClientOptions(command: Command): Command {
  return command
    .option('--config <file>', 'configuration file of the running agent (for listen and token_file)')
    .option('--listen <host:port>', 'address of the running agent (default 127.0.0.1:9477)')
    .option('--token-file <file>', 'name:token file; the first token is used')
    .option('--json', "print the agent's answer as one JSON object on stdout (warnings included)")
    .option('--host <name>', "act through the fleet bus on that host's agent (needs --config with a fleet section)");
}

/** The agent's answer; null when it was printed as JSON already (--json). */
async function act(path: string, body: Record<string, unknown>, flags: ClientFlags): Promise<ActionReply | null> {
  const config = await loadConfigLazily({ config: flags.config, listen: flags.listen, tokenFile: flags.tokenFile });
  if (flags.host !== undefined) {
    const { remoteAction } = await import('./remote-action.ts');
    const [, container = '', verb] = /^\/api\/containers\/([^/]+)\/(isolate|release)$/.exec(path) ?? [];
    const reply = await remoteAction(config, flags.host, {
      action: verb === 'release' ? 'release' : 'isolate',
      container: decodeURIComponent(container),
      reason: typeof body.reason === 'string' ? body.reason : null,
      pause: body.pause === true,
    });
    const result = { ...(reply.result as ActionReply), host: reply.host };
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return null;
    }
    for (const warning of result.warnings ?? []) process.stderr.write(`warning: ${warning}\n`);
    return result;
  }
  const { status, json } = await new AgentClient(config).post(path, { ...body, requested_by: `cli:${currentUser()}` });
  const reply = (json ?? {}) as ActionReply;
  if (status >= 400) {
    if (flags.json) process.stdout.write(`${JSON.stringify(reply)}\n`);
    // Refusals are the agent's verdict, not bad usage of this command: exit 1 with its message.
    throw new ShipwatchError('SW_AGENT_UNREACHABLE', reply.error?.message ?? `agent answered ${status}`);
  }
  if (flags.json) {
    // For scripts: the agent's answer as it is, one line, warnings inside it rather than on stderr.
    process.stdout.write(`${JSON.stringify(reply)}\n`);
    return null;
  }
  for (const warning of reply.warnings ?? []) process.stderr.write(`warning: ${warning}\n`);
  return reply;
}

export function isolateCommand(): Command {
  return withClientOptions(
    new Command('isolate')
      .description('cut a container off its networks and park it on the quarantine network (keeps running)')
      .argument('<container>', 'container id, id prefix or name')
      .option('--reason <text>', 'why, recorded in the journal and the audit alert')
      .option('--pause', 'also freeze its processes'),
  ).action(async (container: string, flags: ClientFlags) => {
    const encoded = encodeURIComponent(container);
    const reply = await act(
      `/api/containers/${encoded}/isolate`,
      { reason: flags.reason, pause: flags.pause === true },
      flags,
    );
    if (!reply) return;
    const networks = reply.record?.networks.map((n) => n.name).join(', ') || 'no networks';
    const verb = reply.changed ? 'isolated' : 'already isolated:';
    process.stdout.write(
      `${verb} ${reply.record?.name ?? container} (was on ${networks})${reply.record?.paused ? ', paused' : ''}\n`,
    );
  });
}

export function releaseCommand(): Command {
  return withClientOptions(
    new Command('release')
      .description('restore an isolated container to its original networks, aliases and addresses')
      .argument('<container>', 'container id, id prefix or name')
      .option('--reason <text>', 'why, recorded in the journal and the audit alert'),
  ).action(async (container: string, flags: ClientFlags) => {
    const reply = await act(
      `/api/containers/${encodeURIComponent(container)}/release`,
      { reason: flags.reason },
      flags,
    );
    if (!reply) return;
    const networks = reply.record?.networks.map((n) => n.name).join(', ') || 'no networks';
    process.stdout.write(`released ${reply.record?.name ?? container} (restored ${networks})\n`);
  });
}
