// Serves the built-in live page (dashboards/web) at GET / and its assets under /web/, plus the
// graph-drawing library the map uses (/web/vendor/d3.min.js, Debian's libjs-d3). A fixed list of
// files, each read once at start: nothing user-supplied ever becomes a path, and the page loads
// nothing from the network.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectPath } from '../../core/project-root.ts';
import type { HttpServer } from '../server.ts';

const WEB_DIR = projectPath('dashboards', 'web');
const JS = 'text/javascript; charset=utf-8';
/** One concept per file (see dashboards/web/app.js for how they fit). */
export const WEB_FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'theme.css': 'text/css; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'triage.css': 'text/css; charset=utf-8',
  'map.css': 'text/css; charset=utf-8',
  'incidents.css': 'text/css; charset=utf-8',
  'boot.js': JS,
  'app.js': JS,
  'api.js': JS,
  'dom.js': JS,
  'stream.js': JS,
  'triage.js': JS,
  'alert-details.js': JS,
  'response.js': JS,
  'map.js': JS,
  'map-model.js': JS,
  'graph-d3.js': JS,
  'theme.js': JS,
  'token-dialog.js': JS,
  'incidents.js': JS,
  'fleet.js': JS,
};
/** Debian's libjs-d3 (3.5): scripts/packages.sh installs it with the agent, the Dockerfile copies it. */
export const D3_PATH = '/usr/share/javascript/d3/d3.min.js';

const notFound = (message: string) => ({ status: 404, json: { error: { code: 'not_found', message } } });

export function registerWebRoutes(server: HttpServer): void {
  const assets = new Map(
    Object.entries(WEB_FILES).map(([file, type]) => [
      file,
      { type, text: readFileSync(path.join(WEB_DIR, file), 'utf8') },
    ]),
  );
  const d3 = existsSync(D3_PATH) ? readFileSync(D3_PATH, 'utf8') : null;
  const page = assets.get('index.html');
  // Defence in depth behind the page's text-only rendering: no inline script, no other origin.
  const headers = {
    'content-security-policy':
      "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; img-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    'referrer-policy': 'no-referrer',
  };
  if (page)
    server.route({ method: 'GET', path: '/', handler: () => ({ text: page.text, contentType: page.type, headers }) });
  server.route({
    method: 'GET',
    path: '/web/:file',
    handler: ({ params }) => {
      const asset = assets.get(params.file ?? '');
      return asset ? { text: asset.text, contentType: asset.type } : notFound('no such asset');
    },
  });
  server.route({
    method: 'GET',
    path: '/web/vendor/d3.min.js',
    handler: () =>
      d3 !== null
        ? { text: d3, contentType: JS }
        : notFound(`the map's library is not installed (${D3_PATH}: libjs-d3)`),
  });
}
