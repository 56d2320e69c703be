// The HTTP server's reading of a request target (server.ts).

/**
 * The request target as a URL, or null when it is not one. A path is joined to our own origin
 * rather than resolved against it: `GET //%E0%A4%A` resolved as a relative reference names a host,
 * and an invalid host threw — out of the request's try in #serve (a request that never answered)
 * and out of the `upgrade` listener (the whole agent). Found by test/unit/fuzz/http.fuzz.test.ts.
 */
export function requestUrl(target: string | undefined): URL | null {
  try {
    return target === undefined || target.startsWith('/')
      ? new URL(`http://shipwatch${target ?? '/'}`)
      : new URL(target, 'http://shipwatch'); // absolute form (`GET http://host/path`), as proxies send
  } catch {
    return null;
  }
}
