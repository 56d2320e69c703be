// The agent's HTTP API as the page uses it. The bearer token lives in sessionStorage only (one tab,
// gone when it closes) and never in the address bar: a ?token= someone pasted is moved out of the
// URL at once, so it does not land in history, bookmarks or screenshots.
const KEY = 'shipwatch-token';

const params = new URLSearchParams(location.search);
if (params.has('token')) {
  sessionStorage.setItem(KEY, params.get('token') ?? '');
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
}

export const token = {
  get: () => sessionStorage.getItem(KEY) || null,
  set: (value) => (value ? sessionStorage.setItem(KEY, value) : sessionStorage.removeItem(KEY)),
};

const auth = () => (token.get() ? { authorization: `Bearer ${token.get()}` } : {});

// A GET the network aborted (fetch rejects; on a Docker host Chromium aborts requests whenever an
// interface appears: net::ERR_NETWORK_CHANGED) is sent again after these pauses. Reads only: a
// POST (isolate, release) is never repeated behind the user's back.
const GET_RETRY_MS = [250, 750, 1500];
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function getJson(path) {
  for (let attempt = 0; ; attempt++) {
    let response;
    try {
      response = await fetch(path, { headers: auth() });
    } catch (error) {
      if (attempt >= GET_RETRY_MS.length) throw error;
      await pause(GET_RETRY_MS[attempt]);
      continue;
    }
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return response.json();
  }
}

/** POST with JSON; resolves to { status, body } whatever the status, so callers can show why. */
export async function postJson(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth() },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json().catch(() => ({})) };
}

export const list = (body, key) => (Array.isArray(body) ? body : (body?.[key] ?? []));
