// The configuration loader, imported when a command runs rather than when the program is built:
// its schema (zod) and YAML parser are most of what `shipwatch --help` would otherwise load.
import type { RunFlags } from '../load-config.ts';
import type { Config } from '../config.ts';
import { DEFAULT_STATE_DIR } from '../defaults.ts';
import { readEnv } from '../env.ts';

export async function loadConfigLazily(flags: RunFlags): Promise<Config> {
  const { loadConfig } = await import('../load-config.ts');
  return loadConfig(flags);
}

/**
 * The state directory alone, for `alerts`, which only reads the journal: it must work while the
 * rest of a configuration is wrong, and start fast. The flag, else SHIPWATCH_STATE_DIR, else the
 * default; when a config file is named (--config, SHIPWATCH_CONFIG) the whole configuration is
 * loaded and validated, as the file may set state_dir.
 */
export async function loadStateDir(flags: { config?: string; stateDir?: string }): Promise<string> {
  const env = readEnv();
  if (flags.config === undefined && env.config === undefined && flags.stateDir !== '') {
    return flags.stateDir ?? env.state_dir ?? DEFAULT_STATE_DIR;
  }
  return (await loadConfigLazily(flags)).state_dir;
}
