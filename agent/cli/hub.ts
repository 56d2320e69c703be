// `shipwatch hub [--config FILE] [--listen HOST:PORT]`: the fleet page and API from NATS alone,
// with the same config file's `fleet` section (and token_file, tls). Runs until SIGTERM/SIGINT.
import { Command } from 'commander';
import { loadConfigLazily } from './lazy-config.ts';

export function hubCommand(): Command {
  return new Command('hub')
    .description('serve the fleet page and API (hosts, alerts, baselines, remote isolate) from the NATS cluster')
    .option('--config <file>', 'YAML configuration with a fleet section (SHIPWATCH_CONFIG)')
    .option('--listen <host:port>', 'HTTP listen address (default 127.0.0.1:9478)')
    .option('--token-file <file>', 'name:token lines for mutating API calls')
    .action(async (flags: { config?: string; listen?: string; tokenFile?: string }) => {
      const config = await loadConfigLazily({ config: flags.config, tokenFile: flags.tokenFile });
      const [{ createLogger }, { Hub, HUB_LISTEN }] = await Promise.all([
        import('../../core/logger.ts'),
        import('../hub.ts'),
      ]);
      const log = createLogger(config.log_level);
      const hub = new Hub(config, flags.listen ?? HUB_LISTEN, log);
      await hub.start();
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      await hub.stop();
    });
}
