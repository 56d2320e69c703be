// GET /metrics: the registry in Prometheus text format.
import type { Metrics } from '../../alerts/metrics.ts';
import type { HttpServer } from '../server.ts';

export function registerMetricsRoutes(server: HttpServer, metrics: Metrics): void {
  server.route({
    method: 'GET',
    path: '/metrics',
    handler: async () => {
      const { contentType, text } = await metrics.render();
      return { text, contentType };
    },
  });
}
