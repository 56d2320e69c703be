// The live stream (WebSocket /api/stream) with reconnect. A socket can drop at any time (agent
// restart, proxy timeout, laptop sleep, a slow-consumer close); whatever was raised while it was
// down is fetched from /api/alerts?since= on reconnect, from the newest alert time this page saw
// (the agent's clock, not the browser's), and the caller deduplicates by alert id.
import { $, el } from './dom.js';
import { getJson, list, token } from './api.js';

const MAX_BACKOFF_MS = 10_000;

/**
 * handlers: { message(msg), alerts(list) — the alerts missed while disconnected, resync() — the
 * stream is back: re-read what may have changed }; newestSeen() → ISO time or null.
 */
export function startStream(handlers, newestSeen) {
  const status = $('#stream');
  let attempt = 0;
  let everOpen = false;
  let socket = null;
  let refusals = 0; // closes before the socket ever opened, in a row
  let opened = false;

  const show = (text, ok) => {
    status.replaceChildren(el('span', { text }));
    status.className = `pill ${ok ? 'ok' : 'bad'}`;
    status.dataset.state = text;
  };

  async function catchUp() {
    const since = newestSeen() ?? '15m';
    const body = await getJson(`/api/alerts?since=${encodeURIComponent(since)}&limit=1000`);
    handlers.alerts(list(body, 'alerts'));
  }

  function connect() {
    const url = new URL('/api/stream', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    // A browser cannot set headers on a WebSocket; the token rides in the socket's URL only,
    // never in the page's address bar.
    if (token.get()) url.searchParams.set('token', token.get());
    socket = new WebSocket(url);
    opened = false;
    socket.addEventListener('open', () => {
      show('live', true);
      attempt = 0;
      refusals = 0;
      opened = true;
      // Every open catches up, the first too: the page may have waited for a token, and what was
      // raised before this socket existed reached no stream.
      catchUp().catch(() => show('live (missed alerts not fetched)', false));
      if (everOpen) handlers.resync();
      everOpen = true;
    });
    socket.addEventListener('message', (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      handlers.message(message);
    });
    socket.addEventListener('close', () => {
      refusals = opened ? 0 : refusals + 1;
      show(refusals >= 2 && !token.get() ? 'reconnecting (a token may be needed)' : 'reconnecting', false);
      const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt++);
      setTimeout(connect, delay);
    });
  }

  show('connecting', false);
  connect();
  return {
    /** A new token: reconnect with it now rather than at the next backoff. */
    reconnect() {
      attempt = 0;
      socket?.close();
    },
  };
}
