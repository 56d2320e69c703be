// `isolate|release --host H`: the action goes over the fleet bus to host H's agent (request/reply,
// fleet/actions.ts), with the fleet section of --config for the servers and credentials. The
// actor recorded on H is the token name of this CLI's token file (as an API call would record)
// and the local user.
import { connect } from '@nats-io/transport-node';
import type { Config } from '../config.ts';
import { currentUser } from '../env.ts';
import { Tokens } from '../tokens.ts';
import { ShipwatchError } from '../../core/errors.ts';
import { connectionOptions, HostDidNotAnswerError, requestAction, type ActionReply } from '../../fleet/index.ts';

export interface RemoteActionInput {
  action: 'isolate' | 'release';
  container: string;
  reason: string | null;
  pause: boolean;
}

export async function remoteAction(
  config: Config,
  host: string,
  input: RemoteActionInput,
): Promise<ActionReply & { ok: true }> {
  if (!config.fleet)
    throw new ShipwatchError('SW_USAGE', '--host needs a configuration with a fleet section (--config FILE)');
  const tokenName = config.token_file ? (Tokens.fromFile(config.token_file).first()?.name ?? 'anonymous') : 'anonymous';
  let nc;
  try {
    nc = await connect({ ...(await connectionOptions(config.fleet, 'shipwatch-cli')), maxReconnectAttempts: 0 });
  } catch (error) {
    throw new ShipwatchError('SW_AGENT_UNREACHABLE', `fleet bus unreachable: ${String(error)}`);
  }
  try {
    const reply = await requestAction(nc, host, { ...input, actor: `${tokenName} (cli:${currentUser()})` });
    if (!reply.ok) throw new ShipwatchError('SW_AGENT_UNREACHABLE', `host ${host}: ${reply.message}`);
    return reply;
  } catch (error) {
    if (error instanceof HostDidNotAnswerError) throw new ShipwatchError('SW_AGENT_UNREACHABLE', error.message);
    throw error;
  } finally {
    await nc.close();
  }
}
