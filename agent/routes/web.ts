// Serves the built-in live page (dashboards/web) at GET / and its assets under /web/. A fixed
// list of files, read once at start: nothing user-supplied ever becomes a path.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectPath } from '../../core/project-root.ts';
import type { HttpServer } from '../server.ts';

const WEB_DIR = projectPath('dashboards', 'web');
const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

export function registerWebRoutes(server: HttpServer): void {
  const assets = new Map(
    Object.entries(FILES).map(([file, type]) => [file, { type, text: readFileSync(path.join(WEB_DIR, file), 'utf8') }]),
  );
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
      return asset
        ? { text: asset.text, contentType: asset.type }
        : { status: 404, json: { error: { code: 'not_found', message: 'no such asset' } } };
    },
  });
}
