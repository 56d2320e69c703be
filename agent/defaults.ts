// Defaults that commands need without the config schema (agent/config.ts uses the same values).

/** Where the journal, queues and baselines live when nothing says otherwise. */
export const DEFAULT_STATE_DIR = '/var/lib/shipwatch';
