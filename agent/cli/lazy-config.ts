// The configuration loader, imported when a command runs rather than when the program is built:
// its schema (zod) and YAML parser are most of what `shipwatch --help` would otherwise load.
import type { RunFlags } from '../load-config.ts';
import type { Config } from '../config.ts';

export async function loadConfigLazily(flags: RunFlags): Promise<Config> {
  const { loadConfig } = await import('../load-config.ts');
  return loadConfig(flags);
}
