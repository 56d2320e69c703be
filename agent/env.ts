// The one module that reads process.env. Everything else receives values through the config.

/** Config keys settable as SHIPWATCH_<KEY> (upper snake case of the YAML key). */
export const ENV_KEYS = [
  'config',
  'docker_host',
  'listen',
  'state_dir',
  'learn',
  'webhook',
  'alertmanager',
  'interfaces',
  'token_file',
  'pcap',
  'host',
  'log_level',
  'stats_interval',
] as const;
export type EnvKey = (typeof ENV_KEYS)[number];

/** The SHIPWATCH_* settings that are present, by config key. DOCKER_HOST is honoured as Docker's own clients do. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): Partial<Record<EnvKey, string>> {
  const values: Partial<Record<EnvKey, string>> = {};
  for (const key of ENV_KEYS) {
    const value = env[`SHIPWATCH_${key.toUpperCase()}`];
    if (value !== undefined && value !== '') values[key] = value;
  }
  if (values.docker_host === undefined && env.DOCKER_HOST) values.docker_host = env.DOCKER_HOST;
  return values;
}

/**
 * SHIPWATCH_* variables that set nothing, most likely typos (SHIPWATCH_LOGLEVEL) or YAML-only keys:
 * worth a warning, since the setting silently does not apply. Names with TEST in them
 * (SHIPWATCH_KEEP_TESTENV, SHIPWATCH_TEST_IMAGE…) belong to the test environment's scripts.
 */
export function unknownEnvVars(env: NodeJS.ProcessEnv = process.env): string[] {
  const known = new Set(ENV_KEYS.map((key) => `SHIPWATCH_${key.toUpperCase()}`));
  return Object.keys(env)
    .filter((name) => name.startsWith('SHIPWATCH_') && !name.includes('TEST') && !known.has(name))
    .sort();
}

export function currentUser(): string {
  return process.env.SUDO_USER ?? process.env.USER ?? process.env.LOGNAME ?? `uid:${process.getuid?.() ?? '?'}`;
}
