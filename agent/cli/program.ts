// The `shipwatch` command line. Exit 0 on success, 2 with a one-line reason on bad usage or bad
// config, 1 when something outside fails (Docker, the listen address).
// The agent and the pcap replay are imported when `run` runs: they load Docker's client, the
// capture, metrics and every detector, which `--help`, `alerts` or `check-config` never need.
import { Command, CommanderError, Option } from 'commander';
import type { RunFlags } from '../load-config.ts';
import type { Config } from '../config.ts';
import { ShipwatchError } from '../../core/errors.ts';
import { isolateCommand, releaseCommand } from './response.ts';
import { baselineCommand } from './baseline.ts';
import { alertsCommand } from './alerts.ts';
import { hubCommand } from './hub.ts';
import { flowsCommand } from './flows.ts';
import { incidentsCommand } from './incidents.ts';
import { timelineCommand } from './timeline.ts';
import { apiBaseUrl } from './api-client.ts';
import { loadConfigLazily } from './lazy-config.ts';
import { VERSION } from '../version.ts';

/** How long a shutdown may take after SIGTERM/SIGINT before the agent exits anyway (systemd's default stop timeout is 90 s). */
const SHUTDOWN_DEADLINE_MS = 15_000;

const collect = (value: string, previous: string[] = []) => [...previous, value];

function runCommand(): Command {
  return new Command('run')
    .description('run the agent: watch containers, detect anomalies, serve the API and metrics')
    .option('--config <file>', 'YAML configuration file (SHIPWATCH_CONFIG)')
    .option(
      '--docker-host <url>',
      'Docker engine: unix:///path or tcp://host:port (SHIPWATCH_DOCKER_HOST, DOCKER_HOST)',
    )
    .option('--listen <host:port>', 'HTTP listen address (default 127.0.0.1:9477)')
    .option('--state-dir <dir>', 'journal, queues and baselines (default /var/lib/shipwatch)')
    .option('--learn <duration>', 'learning window per workload (default 10m); 0 = policy only')
    .option('--webhook <url>', 'deliver alerts to this URL (repeatable)', collect)
    .option('--alertmanager <url>', 'Alertmanager base URL (repeatable: every member of a cluster)', collect)
    .option(
      '--interfaces <auto|list>',
      'bridges to capture on: auto (default, every Docker bridge) or a comma-separated list',
    )
    .option('--token-file <file>', 'name:token lines for mutating API calls')
    .option('--pcap <file>', 'read a capture file through the detectors, print a summary and exit')
    .option('--host <name>', "host name reported in alerts (default: this machine's host name)")
    .addOption(
      new Option('--log-level <level>', 'log level (default info)').choices([
        'trace',
        'debug',
        'info',
        'warn',
        'error',
        'fatal',
        'silent',
      ]),
    )
    .option('--stats-interval <duration>', 'container stats sampling interval (default 5s)')
    .addHelpText(
      'after',
      '\nEach option is also a SHIPWATCH_* variable (--state-dir: SHIPWATCH_STATE_DIR; --webhook:\n' +
        'SHIPWATCH_WEBHOOK, comma-separated) and a key of the YAML file (state_dir; webhooks).\n' +
        'Flags win over variables, variables over the file.',
    )
    .action(async (flags: RunFlags) => {
      const config = await loadConfigLazily(flags);
      const [{ createLogger }, { unknownEnvVars }, { keepLock, lockStateDir }] = await Promise.all([
        import('../../core/logger.ts'),
        import('../env.ts'),
        import('../state-lock.ts'),
      ]);
      // With --pcap, stdout carries the one JSON summary: the logs go to stderr.
      const log = createLogger(config.log_level, undefined, config.pcap ? 2 : 1);
      for (const variable of unknownEnvVars()) {
        log.warn({ variable }, `${variable} is not a shipwatch setting and is ignored (see README "Configuration")`);
      }
      // Before anything opens the journal, queues or baselines: one writer per state directory.
      const lock = await lockStateDir(config.state_dir, config.pcap ? 'run --pcap' : 'run', (dead) =>
        log.warn(
          { dir: config.state_dir, pid: dead.pid, since: dead.since },
          `state directory lock left by a process that is gone (pid ${dead.pid}); taken over`,
        ),
      );
      const releaseAndFlush = () => {
        lock.release();
        log.flush?.();
      };
      try {
        if (config.pcap) {
          const { runPcap } = await import('./pcap-run.ts');
          return void (await runPcap(config, log, config.pcap));
        }
        // Listen for the stop signal before starting anything: a SIGTERM during start-up (a
        // service manager stopping an agent that just started) then shuts down cleanly, after
        // the start finishes, instead of killing the process mid-write.
        const stopRequested = new Promise<void>((resolve) => {
          const stop = (signal: string) => {
            log.info({ signal }, 'shutting down');
            resolve();
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        // Imported here: they load Docker's client, which no other command needs at start.
        const [{ preflight }, { Agent }] = await Promise.all([import('../preflight.ts'), import('../agent.ts')]);
        await preflight(config);
        const agent = new Agent(config, log);
        // From here on SIGHUP reloads (before, its default action would end the process).
        const { reloadOnHangup } = await import('./reload.ts');
        const stopReloading = reloadOnHangup(agent, flags, log);
        const { host, port } = await agent.start();
        lock.publish(apiBaseUrl(host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`, config.tls !== null));
        const stopKeepingLock = keepLock(lock, log);
        await stopRequested;
        // A second signal, or a shutdown step that never ends, must not leave the agent half-alive.
        const forceExit = (why: string) => {
          log.error({ why }, 'shutdown did not finish; exiting now');
          releaseAndFlush();
          process.exit(1);
        };
        process.once('SIGINT', () => forceExit('second signal'));
        process.once('SIGTERM', () => forceExit('second signal'));
        setTimeout(
          () => forceExit(`still running ${SHUTDOWN_DEADLINE_MS} ms after the signal`),
          SHUTDOWN_DEADLINE_MS,
        ).unref();
        stopReloading();
        stopKeepingLock();
        await agent.stop();
      } finally {
        releaseAndFlush();
      }
    });
}

function checkConfigCommand(): Command {
  return new Command('check-config')
    .description('validate a configuration file and print the effective settings (YAML, secrets redacted)')
    .argument('[file]', 'YAML configuration file')
    .option('--schema', "print the config file's JSON Schema (docs/config.schema.json) instead")
    .action(async (file: string | undefined, flags: { schema?: boolean }, command: Command) => {
      if (flags.schema) {
        const { configJsonSchemaText } = await import('../config-schema.ts');
        return void process.stdout.write(configJsonSchemaText());
      }
      if (file === undefined) command.error("missing required argument 'file'");
      const [{ readConfigFile, validateConfig }, { redactSecrets }, { displayConfig }] = await Promise.all([
        import('../config.ts'),
        import('../redact.ts'),
        import('../config-display.ts'),
      ]);
      const config = validateConfig(readConfigFile(file), file);
      process.stdout.write(`${file}: ok\n${displayConfig(redactSecrets(config) as Config)}`);
    });
}

export function buildProgram(): Command {
  const program = new Command('shipwatch')
    .description('Runtime network and behaviour anomaly monitor for Docker hosts')
    .version(VERSION)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  program.addCommand(runCommand());
  program.addCommand(checkConfigCommand());
  program.addCommand(isolateCommand());
  program.addCommand(releaseCommand());
  program.addCommand(baselineCommand());
  program.addCommand(alertsCommand());
  program.addCommand(hubCommand());
  program.addCommand(incidentsCommand());
  program.addCommand(timelineCommand());
  program.addCommand(flowsCommand());
  const quiet = (command: Command): void => {
    command.exitOverride().configureOutput({ outputError: () => undefined });
    command.commands.forEach(quiet);
  };
  program.commands.forEach(quiet);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0; // --help, --version
      process.stderr.write(`shipwatch: ${error.message.replace(/^error: /, '')}\n`);
      return 2;
    }
    if (error instanceof ShipwatchError) {
      process.stderr.write(`shipwatch: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`shipwatch: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
