// SIGHUP: read the configuration again (file, variables and the same flags) and apply what can
// change without a restart (Agent.reload). An invalid file keeps the running configuration and
// says why in one log line; reloads run one after another, never interleaved.
import type { Logger } from '../../core/logger.ts';
import type { Agent } from '../agent.ts';
import type { Config } from '../config.ts';
import { loadConfig, type RunFlags } from '../load-config.ts';

/** Starts listening for SIGHUP; returns the function that stops listening. */
export function reloadOnHangup(agent: Agent, flags: RunFlags, log: Logger): () => void {
  let chain = Promise.resolve();
  const reload = async (): Promise<void> => {
    let next: Config;
    try {
      next = loadConfig(flags);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      log.error({ reason }, `configuration not reloaded, keeping the running one: ${reason}`);
      return;
    }
    await agent.reload(next);
  };
  const onHangup = () => {
    log.info({ signal: 'SIGHUP' }, 'reloading configuration');
    chain = chain.then(reload).catch((error: unknown) => log.error({ err: error }, 'configuration reload failed'));
  };
  process.on('SIGHUP', onHangup);
  return () => process.off('SIGHUP', onHangup);
}
