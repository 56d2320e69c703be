// Loads the page's scripts and survives a load that the network broke. On a Docker host the
// browser sees interfaces come and go (every container start adds a veth), and Chromium aborts
// requests in flight when that happens (net::ERR_NETWORK_CHANGED), loopback ones included. One
// aborted module fails the whole module graph, so the page would sit at "connecting" for ever.
// Here the map's library is fetched again if it failed, and a module graph that failed to load
// reloads the page, a bounded number of times, saying so in the stream pill.
(() => {
  const me = document.currentScript;
  const FAILURES = 'shipwatch-boot-failures';
  const MAX_RELOADS = 3;
  const D3_TRIES = 3;

  const say = (text) => {
    const pill = document.getElementById('stream');
    if (!pill) return;
    pill.textContent = text;
    pill.className = 'pill bad';
    pill.dataset.state = text;
  };

  function loadVendor(src, triesLeft, then) {
    const script = document.createElement('script');
    script.src = src;
    script.addEventListener('load', then);
    script.addEventListener('error', () => {
      script.remove();
      // Not installed (404) or aborted: the same error event. Retry a few times, then go on; the
      // map says its library is missing and the edges stay in the table.
      if (triesLeft > 1) setTimeout(() => loadVendor(src, triesLeft - 1, then), 300);
      else then();
    });
    document.body.append(script);
  }

  function loadApp(src) {
    const script = document.createElement('script');
    script.type = 'module';
    script.src = src;
    // A module script's load event comes after it ran.
    script.addEventListener('load', () => sessionStorage.removeItem(FAILURES));
    script.addEventListener('error', () => {
      const failures = Number(sessionStorage.getItem(FAILURES) ?? 0) + 1;
      sessionStorage.setItem(FAILURES, String(failures));
      if (failures > MAX_RELOADS) {
        sessionStorage.removeItem(FAILURES);
        say('page did not load (network changed?): reload');
        return;
      }
      say(`page did not load completely: retrying (${failures} of ${MAX_RELOADS})`);
      setTimeout(() => location.reload(), 400 * failures);
    });
    document.body.append(script);
  }

  loadVendor(me.dataset.vendor, D3_TRIES, () => loadApp(me.dataset.app));
})();
