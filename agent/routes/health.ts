// GET /healthz: the state of each source, as the sources reported it.
import type { Health } from '../../core/health.ts';
import type { HttpServer } from '../server.ts';

export function registerHealthRoutes(server: HttpServer, health: Health): void {
  server.route({ method: 'GET', path: '/healthz', handler: () => ({ json: health.snapshot() }) });
}
