// Merges the four sources of settings, lowest precedence first: schema defaults, the YAML file,
// SHIPWATCH_* variables, command-line flags, then validates once.
import { readEnv, type EnvKey } from './env.ts';
import { readConfigFile, validateConfig, type Config } from './config.ts';

/** Flags of `shipwatch run` as commander hands them over (camelCase keys). */
export interface RunFlags {
  config?: string;
  dockerHost?: string;
  listen?: string;
  stateDir?: string;
  learn?: string;
  webhook?: string[];
  alertmanager?: string[];
  interfaces?: string;
  tokenFile?: string;
  pcap?: string;
  host?: string;
  logLevel?: string;
  statsInterval?: string;
}

type Overrides = Partial<Record<EnvKey, string | string[]>>;

/** One setting as a flag or variable gives it, turned into the shape the YAML key takes. */
function applyOverrides(target: Record<string, unknown>, overrides: Overrides): void {
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined || key === 'config') continue;
    switch (key) {
      case 'webhook': {
        const urls = (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter(Boolean);
        target.webhooks = urls.map((url) => ({ url }));
        break;
      }
      case 'alertmanager':
        target.alertmanager = (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter(Boolean);
        break;
      case 'interfaces': {
        const text = String(value).trim();
        target.interfaces =
          text === 'auto'
            ? 'auto'
            : text
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean);
        break;
      }
      default:
        target[key] = value;
    }
  }
}

function flagsToOverrides(flags: RunFlags): Overrides {
  return {
    docker_host: flags.dockerHost,
    listen: flags.listen,
    state_dir: flags.stateDir,
    learn: flags.learn,
    webhook: flags.webhook,
    alertmanager: flags.alertmanager,
    interfaces: flags.interfaces,
    token_file: flags.tokenFile,
    pcap: flags.pcap,
    host: flags.host,
    log_level: flags.logLevel,
    stats_interval: flags.statsInterval,
  };
}

export function loadConfig(flags: RunFlags, env: NodeJS.ProcessEnv = process.env): Config {
  const fromEnv = readEnv(env);
  const file = flags.config ?? fromEnv.config;
  const raw: Record<string, unknown> = file ? readConfigFile(file) : {};
  applyOverrides(raw, fromEnv);
  applyOverrides(raw, flagsToOverrides(flags));
  return validateConfig(raw, file ?? 'configuration');
}
