// Bearer tokens for mutating endpoints: a file of `name:token` lines. The name is recorded with
// every action taken with that token.
import { readFileSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import { ShipwatchError } from '../core/errors.ts';

export class Tokens {
  readonly #byToken: Map<string, string>;

  constructor(entries: Iterable<[name: string, token: string]>) {
    this.#byToken = new Map([...entries].map(([name, token]) => [token, name]));
  }

  get configured(): boolean {
    return this.#byToken.size > 0;
  }

  /** The name behind a token, or null. Compared in constant time against each known token. */
  identify(token: string): string | null {
    const given = Buffer.from(token);
    let found: string | null = null;
    for (const [known, name] of this.#byToken) {
      const candidate = Buffer.from(known);
      if (candidate.length === given.length && timingSafeEqual(candidate, given)) found = name;
    }
    return found;
  }

  /** Any one token, for the CLI talking to its own agent. */
  first(): { name: string; token: string } | null {
    const entry = this.#byToken.entries().next();
    return entry.done ? null : { token: entry.value[0], name: entry.value[1] };
  }

  static fromFile(file: string | null): Tokens {
    if (!file) return new Tokens([]);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ShipwatchError(
        'SW_TOKEN_FILE_INVALID',
        `token_file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    }
    const entries: [string, string][] = [];
    text.split('\n').forEach((raw, index) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const token = line.slice(colon + 1).trim();
      if (colon <= 0 || !name || token.length < 16) {
        throw new ShipwatchError(
          'SW_TOKEN_FILE_INVALID',
          `token_file ${file}:${index + 1}: expected name:token with a token of at least 16 characters`,
        );
      }
      entries.push([name, token]);
    });
    if (entries.length === 0)
      throw new ShipwatchError('SW_TOKEN_FILE_INVALID', `token_file ${file}: no name:token lines`);
    return new Tokens(entries);
  }
}
