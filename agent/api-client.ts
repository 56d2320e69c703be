// How the CLI talks to the running agent: every response action goes through the agent's API, so
// it is journalled in one place with the token's name.
import { ShipwatchError } from './errors.ts';
import type { Config } from './config.ts';
import { Tokens } from './tokens.ts';

export class AgentClient {
  readonly #base: string;
  readonly #token: string | null;

  constructor(config: Config) {
    const scheme = config.tls ? 'https' : 'http';
    const [host, port] = [
      config.listen.slice(0, config.listen.lastIndexOf(':')),
      config.listen.slice(config.listen.lastIndexOf(':') + 1),
    ];
    // A wildcard listen address is reached on loopback.
    const target = host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host;
    this.#base = `${scheme}://${target}:${port}`;
    this.#token = Tokens.fromFile(config.token_file).first()?.token ?? null;
  }

  async post(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
    let response: Response;
    try {
      response = await fetch(`${this.#base}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new ShipwatchError(
        'SW_AGENT_UNREACHABLE',
        `cannot reach the agent at ${this.#base} (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}); is \`shipwatch run\` running with this --listen?`,
      );
    }
    return { status: response.status, json: (await response.json().catch(() => null)) as unknown };
  }
}
