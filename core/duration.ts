// Durations as users write them in flags and YAML: "500ms", "20s", "10m", "2h", "1d", or a bare
// number of seconds. "0" is valid (e.g. learn: 0 = policy only). `parseSince` lives here too
// because the HTTP API (?since=) and the CLI (--since) must read a user's "15m" the same way, and
// core/ is the one place both may import.

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/;

/** Milliseconds, or null when the text is not a duration. */
export function parseDuration(text: string | number): number | null {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text * 1000 : null;
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) return null;
  const [, amount, unit] = match;
  return Math.round(Number(amount) * (UNITS[unit ?? 's'] ?? 1000));
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** An ISO 8601 time or a duration ago ("90s", "15m", "2h"); null when it is neither. */
export function parseSince(text: string, now: number = Date.now()): number | null {
  const ago = parseDuration(text);
  // A bare number is seconds in YAML, but as a `since` it could as well be an epoch or a year:
  // refused rather than guessed.
  if (ago !== null && !/^\d+$/.test(text.trim())) return now - ago;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return null;
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : time;
}
