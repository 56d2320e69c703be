// A test process that runs the real alert side of the agent — AlertPipeline (journal, metrics,
// log, stream, durable sink queues) behind the real HttpServer and the agent's own route
// registrations (GET /api/alerts, GET /api/stream, GET /metrics) — without the collectors, so tests
// can raise alerts by hand and kill it with SIGKILL. The one addition is POST /test/findings
// (mutating, so token-protected when a token file is given): it exists only in this test file,
// never in the agent.
//
// Usage: node --import tsx test/support/alert-agent.ts '<json options>'
import { AlertPipeline } from '../../alerts/alert-pipeline.ts';
import { Metrics } from '../../alerts/metrics.ts';
import { validateConfig } from '../../agent/config.ts';
import { createLogger } from '../../core/logger.ts';
import { HttpServer } from '../../agent/server.ts';
import { Tokens } from '../../agent/tokens.ts';
import { registerAlertRoutes } from '../../agent/routes/alerts.ts';
import { registerStreamRoutes } from '../../agent/routes/stream.ts';
import { registerMetricsRoutes } from '../../agent/routes/metrics.ts';
import type { Finding } from '../../findings/index.ts';

export interface AlertAgentOptions {
  config: Record<string, unknown>;
  repeatFlushMs?: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as AlertAgentOptions;
const config = validateConfig({ listen: '127.0.0.1:0', ...options.config }, 'alert-agent');
const log = createLogger(config.log_level, false);
const metrics = new Metrics();
const server = new HttpServer({ listen: config.listen, tokens: Tokens.fromFile(config.token_file), tls: null, log });
const alerts = new AlertPipeline({
  config,
  metrics,
  log,
  repeatFlushMs: options.repeatFlushMs,
});
registerAlertRoutes(server, alerts.journal);
registerStreamRoutes(server, alerts.stream);
registerMetricsRoutes(server, metrics);
server.route({
  method: 'POST',
  path: '/test/findings',
  mutating: true,
  handler: ({ body }) => {
    if (!Array.isArray(body))
      return { status: 400, json: { error: { code: 'bad_request', message: 'expected an array' } } };
    const raised = (body as Finding[]).map((finding) => alerts.raise({ ...finding, at: finding.at ?? Date.now() }));
    return { json: { alerts: raised } };
  },
});
const address = await server.listen();
log.info({ listen: `${address.host}:${address.port}` }, 'shipwatch listening');
process.once('SIGTERM', () => {
  void alerts
    .close()
    .then(() => server.close())
    .then(() => process.exit(0));
});
