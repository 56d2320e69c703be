// How the CLI talks to the running agent: every response action goes through the agent's API, so
// it is journalled in one place with the token's name.
import { ShipwatchError } from '../../core/errors.ts';
import type { Config } from '../config.ts';
import { Tokens } from '../tokens.ts';

/** Base URL of an agent listening on `listen` (host:port); a wildcard address is reached on loopback. */
export function apiBaseUrl(listen: string, tls: boolean): string {
  const host = listen.slice(0, listen.lastIndexOf(':'));
  const port = listen.slice(listen.lastIndexOf(':') + 1);
  const target = host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host;
  return `${tls ? 'https' : 'http'}://${target}:${port}`;
}

export class AgentClient {
  readonly base: string;
  readonly #token: string | null;

  /** `base` overrides the address derived from `config.listen` (e.g. the one a state-dir lock names). */
  constructor(config: Config, base?: string) {
    this.base = base ?? apiBaseUrl(config.listen, config.tls !== null);
    this.#token = Tokens.fromFile(config.token_file).first()?.token ?? null;
  }

  async post(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
    return this.request('POST', path, body);
  }

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new ShipwatchError(
        'SW_AGENT_UNREACHABLE',
        `cannot reach the agent at ${this.base} (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}); is \`shipwatch run\` running with this --listen?`,
      );
    }
    return { status: response.status, json: (await response.json().catch(() => null)) as unknown };
  }
}
