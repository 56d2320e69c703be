// What `check-config` prints instead of a secret. The effective config is the one place that
// holds every secret after the *_file options were read, and it is what a user pastes into a
// ticket: every secret-carrying value is replaced, its key kept, so the output still shows that
// a secret is set. Walks the whole tree by key name rather than listing today's paths, so a
// section added later (fleet: password, token) is covered without anyone remembering to.

export const REDACTED = '<redacted>';

/** Keys whose value is a secret itself (a `*_file` key holds a path, which is not). */
const SECRET_KEY = /^(secret|password|passphrase|token|api_key|.+_(secret|password|token|api_key))$/i;
/** Query parameters that commonly carry a credential in a webhook URL. */
const SECRET_PARAM = /token|key|secret|pass|sig|auth|code/i;

/** A URL with its password and credential-looking query values replaced. */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  if (!url.password && ![...url.searchParams.keys()].some((name) => SECRET_PARAM.test(name))) return text;
  // Built by hand: URL would percent-encode the marker's angle brackets.
  const user = url.username ? `${url.username}${url.password ? `:${REDACTED}` : ''}@` : '';
  const query = [...url.searchParams]
    .map(
      ([name, value]) =>
        `${encodeURIComponent(name)}=${SECRET_PARAM.test(name) ? REDACTED : encodeURIComponent(value)}`,
    )
    .join('&');
  return `${url.protocol}//${user}${url.host}${url.pathname}${query ? `?${query}` : ''}${url.hash}`;
}

export function redactSecrets(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item));
  if (value !== null && typeof value === 'object') {
    // Every header value: Authorization, X-Api-Key, a cookie… a header name says too little.
    if (key === 'headers') return Object.fromEntries(Object.keys(value).map((name) => [name, REDACTED]));
    return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, redactSecrets(inner, name)]));
  }
  if (typeof value === 'string') {
    if (SECRET_KEY.test(key)) return REDACTED;
    if (key === 'url' || key.endsWith('_url')) return redactUrl(value);
  }
  return value;
}
