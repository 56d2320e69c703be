// When to try a failed delivery again: exponential backoff with "equal jitter" (AWS's "Exponential
// Backoff and Jitter": spreads retries of many agents hitting one receiver after an outage),
// capped, and a receiver's Retry-After wins when it asks for longer.

export interface RetryPolicy {
  /** First delay, ms. */
  base: number;
  /** Largest delay, ms (Retry-After beyond it is capped too, so a bad header cannot stall a sink for days). */
  max: number;
}

export const DEFAULT_RETRY: RetryPolicy = { base: 500, max: 60_000 };

/** Delay before attempt `attempt + 1` (attempt counts failures so far, from 1). */
export function backoffDelay(
  attempt: number,
  retryAfter: number | null,
  policy: RetryPolicy = DEFAULT_RETRY,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.max, policy.base * 2 ** Math.max(0, attempt - 1));
  // Equal jitter: a random point in the upper half, so a run of small random draws still backs off.
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  const delay = retryAfter !== null ? Math.max(retryAfter, jittered) : jittered;
  return Math.round(Math.min(delay, policy.max));
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3), in ms from now; null when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | null {
  if (!header) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/** Statuses worth retrying: the receiver may recover. Any other 4xx will fail the same way again. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}
