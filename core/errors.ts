// Coded errors thrown at start-up. At run time, boundaries turn failures into values, health
// states and counters instead; these are for "cannot start like this".

export const ErrorCodes = {
  SW_USAGE: 'bad command-line usage',
  SW_CONFIG_INVALID: 'the configuration is invalid',
  SW_CONFIG_UNREADABLE: 'the configuration file cannot be read',
  SW_DOCKER_UNREACHABLE: 'the Docker engine cannot be reached',
  SW_LISTEN_FAILED: 'the HTTP listener cannot start',
  SW_INSECURE_LISTEN: 'refusing to serve mutating endpoints on a non-loopback address without a token',
  SW_TOKEN_FILE_INVALID: 'the token file is invalid',
  SW_PCAP_UNREADABLE: 'the capture file cannot be read',
  SW_AGENT_UNREACHABLE: 'the running agent cannot be reached',
  SW_STATE_LOCKED: 'the state directory is in use by another shipwatch process',
  SW_STATE_UNWRITABLE: 'the state directory cannot be written (read-only, full, not a directory)',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/** An error that ends start-up (exit 2 for usage and configuration, 1 otherwise). */
export class ShipwatchError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ShipwatchError';
  }

  /** Usage and configuration errors are the caller's to fix: exit status 2, as DESIGN.md says. */
  get exitCode(): number {
    return this.code === 'SW_USAGE' ||
      this.code === 'SW_CONFIG_INVALID' ||
      this.code === 'SW_CONFIG_UNREADABLE' ||
      this.code === 'SW_TOKEN_FILE_INVALID' ||
      this.code === 'SW_INSECURE_LISTEN' ||
      this.code === 'SW_PCAP_UNREADABLE' ||
      this.code === 'SW_STATE_LOCKED'
      ? 2
      : 1;
  }
}
