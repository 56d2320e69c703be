// `shipwatch hub`: one process that serves the fleet from NATS alone (DESIGN.md "Fleet"): hosts
// with their last heartbeat, alerts across hosts and the incidents they name, the containers hosts
// report, the shared baselines with their history, and isolate/release routed to the container's
// host over the bus.
// The page is the agent's live page, which finds /api/hosts here and switches to fleet mode (a
// host selector, host-qualified names); /api/stream carries the fleet's alerts as they arrive.
// The same token rules as the agent's API: mutating routes need a bearer token when a token file
// is given, and a non-loopback listen address needs one.
import { z } from 'zod';
import type { Config } from './config.ts';
import { Health } from '../core/health.ts';
import { HttpError, badRequest } from '../core/http-errors.ts';
import type { Logger } from '../core/logger.ts';
import { assertListenAllowed, HttpServer } from './server.ts';
import { Tokens } from './tokens.ts';
import { FleetBus, HostDidNotAnswerError, HubView, requestAction } from '../fleet/index.ts';
import { ShipwatchError } from '../core/errors.ts';
import { parseSinceParam } from './routes/alerts.ts';
import { LiveStream } from '../alerts/stream.ts';
import { registerWebRoutes } from './routes/web.ts';
import { registerStreamRoutes } from './routes/stream.ts';
import { registerHubIncidentRoutes } from './routes/incidents.ts';

export const HUB_LISTEN = '127.0.0.1:9478';

const actionBody = z.strictObject({
  host: z.string().min(1),
  reason: z.string().max(1000).optional(),
  pause: z.boolean().optional(),
  requested_by: z.string().max(200).optional(),
});

export class Hub {
  readonly health = new Health();
  readonly view = new HubView();
  readonly server: HttpServer;
  readonly stream: LiveStream;
  readonly #bus: FleetBus;
  readonly #log: Logger;

  constructor(config: Config, listen: string, log: Logger) {
    if (!config.fleet)
      throw new ShipwatchError('SW_CONFIG_INVALID', 'shipwatch hub needs a fleet section in its config');
    this.#log = log;
    const tokens = Tokens.fromFile(config.token_file);
    assertListenAllowed(listen, tokens);
    this.server = new HttpServer({ listen, tokens, tls: config.tls, log });
    this.stream = new LiveStream({ log });
    // The page's messages: an alert as the stream delivers it, and "re-read the containers" when
    // a host appears or its containers change.
    this.view.onAlert((alert) => this.stream.broadcast('alert', { alert }));
    this.view.onHostChange((host) => this.stream.broadcast('inventory', { host }));
    this.#bus = new FleetBus({
      settings: config.fleet,
      name: `shipwatch-hub@${config.host}`,
      health: this.health,
      log,
      start: false,
      onReady: (handles) =>
        void this.view.start(handles).catch((error: unknown) => log.error({ err: error }, 'hub view not started')),
    });
    this.#routes(config);
  }

  #routes(config: Config): void {
    const { server, view } = this;
    registerWebRoutes(server);
    registerStreamRoutes(server, this.stream);
    server.route({ method: 'GET', path: '/healthz', handler: () => ({ json: this.health.snapshot() }) });
    server.route({ method: 'GET', path: '/api/hosts', handler: () => ({ json: view.hosts() }) });
    server.route({
      method: 'GET',
      path: '/api/alerts',
      handler: ({ query }) => {
        const limit = Number(query.get('limit') ?? 100);
        if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw badRequest('limit: expected 1..10000');
        const filter = {
          host: query.get('host'),
          rule: query.get('rule'),
          workload: query.get('workload'),
          since: parseSinceParam(query),
          limit,
        };
        // The agent's shape ({ alerts }), so a client of one reads the other.
        return { json: { alerts: view.alerts(filter) } };
      },
    });
    // Grouped from the alerts held, by the incident id each host's agent gave them.
    registerHubIncidentRoutes(server, () => view.stored(), config.incidents);
    server.route({ method: 'GET', path: '/api/containers', handler: () => ({ json: view.containers() }) });
    server.route({
      method: 'GET',
      path: '/api/baselines',
      handler: async () => ({ json: await view.baselines(true) }),
    });
    for (const action of ['isolate', 'release'] as const) {
      server.route({
        method: 'POST',
        path: `/api/containers/:id/${action}`,
        mutating: true,
        handler: async ({ params, body, actor }) => {
          const parsed = actionBody.safeParse(body);
          if (!parsed.success)
            throw badRequest(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
          const nc = view.handles?.nc;
          if (!nc || !this.#bus.connected)
            throw new HttpError(503, 'fleet_unavailable', 'the hub is not connected to the fleet bus');
          const request = parsed.data;
          try {
            const reply = await requestAction(nc, request.host, {
              action,
              container: params.id ?? '',
              reason: request.reason ?? null,
              pause: request.pause ?? false,
              actor: request.requested_by ? `${actor} (${request.requested_by})` : actor,
            });
            if (!reply.ok) throw new HttpError(reply.status, reply.code, `host ${reply.host}: ${reply.message}`);
            return {
              json: {
                host: reply.host,
                [action === 'isolate' ? 'isolated' : 'released']: true,
                ...(reply.result as object),
              },
            };
          } catch (error) {
            if (error instanceof HostDidNotAnswerError) throw new HttpError(504, 'host_did_not_answer', error.message);
            throw error;
          }
        },
      });
    }
  }

  async start(): Promise<{ host: string; port: number }> {
    const address = await this.server.listen();
    this.#bus.start();
    this.#log.info({ listen: `${address.host}:${address.port}` }, 'shipwatch hub listening');
    return address;
  }

  async stop(): Promise<void> {
    this.stream.close();
    this.view.stop();
    await this.#bus.close();
    await this.server.close();
  }
}
