// A bound on failed token attempts: per client address, the first few failures cost nothing (a
// typo, a rotated token), then each further one doubles a lock-out during which the client is
// answered 429 with Retry-After and its guesses are not even checked. Guessing a 16+ character
// token this way would take longer than the universe has. Bounded in clients remembered.

const FREE_FAILURES = 5;
const FIRST_LOCK_MS = 1000;
const MAX_LOCK_MS = 5 * 60_000;
/** A client that stops failing is forgotten after this long. */
const FORGET_MS = 15 * 60_000;
const MAX_CLIENTS = 10_000;

interface ClientRecord {
  failures: number;
  lockedUntil: number;
  last: number;
}

export class AuthThrottle {
  readonly #clients = new Map<string, ClientRecord>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Milliseconds the client must still wait; 0 when it may try. */
  retryAfter(client: string): number {
    const record = this.#clients.get(client);
    if (!record) return 0;
    const now = this.#now();
    if (now - record.last > FORGET_MS) {
      this.#clients.delete(client);
      return 0;
    }
    return Math.max(0, record.lockedUntil - now);
  }

  failed(client: string): void {
    const now = this.#now();
    const record = this.#clients.get(client) ?? { failures: 0, lockedUntil: 0, last: now };
    record.failures++;
    record.last = now;
    if (record.failures > FREE_FAILURES) {
      record.lockedUntil = now + Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** (record.failures - FREE_FAILURES - 1));
    }
    this.#clients.delete(client);
    this.#clients.set(client, record);
    if (this.#clients.size > MAX_CLIENTS) {
      const oldest = this.#clients.keys().next().value;
      if (oldest !== undefined) this.#clients.delete(oldest);
    }
  }

  succeeded(client: string): void {
    this.#clients.delete(client);
  }
}
