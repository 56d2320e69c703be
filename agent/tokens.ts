// Bearer tokens for mutating endpoints: a file of `name:token` lines. The name is recorded with
// every action taken with that token.
import { readFileSync } from 'node:fs';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ShipwatchError } from '../core/errors.ts';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export class Tokens {
  readonly #byToken: Map<string, string>;
  /** SHA-256 of each token beside its name: compared digest to digest, the same length whatever was sent. */
  readonly #digests: { digest: Buffer; name: string }[];

  constructor(entries: Iterable<[name: string, token: string]>) {
    this.#byToken = new Map([...entries].map(([name, token]) => [token, name]));
    this.#digests = [...this.#byToken].map(([token, name]) => ({ digest: sha256(token), name }));
  }

  get configured(): boolean {
    return this.#byToken.size > 0;
  }

  /**
   * The name behind a token, or null. Constant time: the given token is hashed, and its digest is
   * compared with every known digest, all of them, with timingSafeEqual — neither the length of a
   * token nor how many leading bytes matched shows in the time taken.
   */
  identify(token: string): string | null {
    const given = sha256(token);
    let found: string | null = null;
    for (const { digest, name } of this.#digests) if (timingSafeEqual(digest, given)) found = name;
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
