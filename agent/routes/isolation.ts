// HTTP routes of the response module: isolate, release, and the list of isolated containers.
// Mutating routes run under the server's bearer-token rule; the token's name is the actor.
import { z } from 'zod';
import { HttpError, badRequest, notFound } from '../../core/http-errors.ts';
import type { HttpServer } from '../server.ts';
import type { ResponseFailure } from '../../response/isolate.ts';
import type { ResponseService } from '../../response/service.ts';

const isolateBody = z
  .strictObject({
    reason: z.string().max(1000).optional(),
    pause: z.boolean().optional(),
    alert_id: z.string().max(200).optional(),
    /** The local user behind a CLI call, recorded beside the token's name. */
    requested_by: z.string().max(200).optional(),
  })
  .optional();

const releaseBody = z
  .strictObject({ reason: z.string().max(1000).optional(), requested_by: z.string().max(200).optional() })
  .optional();

function failure(outcome: ResponseFailure): HttpError {
  switch (outcome.code) {
    case 'not_found':
      return notFound(outcome.message);
    case 'docker_error':
      return new HttpError(502, 'docker_error', outcome.message);
    default:
      return new HttpError(409, outcome.code, outcome.message);
  }
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw badRequest(result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  }
  return result.data;
}

const actorOf = (tokenName: string, requestedBy: string | undefined) =>
  requestedBy ? `${tokenName} (${requestedBy})` : tokenName;

export function registerIsolationRoutes(server: HttpServer, service: ResponseService): void {
  server.route({
    method: 'POST',
    path: '/api/containers/:id/isolate',
    mutating: true,
    handler: async ({ params, body, actor }) => {
      const request = parse(isolateBody, body) ?? {};
      const outcome = await service.isolate(params.id ?? '', {
        actor: actorOf(actor, request.requested_by),
        reason: request.reason ?? null,
        alertId: request.alert_id ?? null,
        pause: request.pause ?? false,
      });
      if (!outcome.ok) throw failure(outcome);
      return { json: { isolated: true, changed: outcome.changed, record: outcome.record, warnings: outcome.warnings } };
    },
  });
  server.route({
    method: 'POST',
    path: '/api/containers/:id/release',
    mutating: true,
    handler: async ({ params, body, actor }) => {
      const request = parse(releaseBody, body) ?? {};
      const outcome = await service.release(
        params.id ?? '',
        actorOf(actor, request.requested_by),
        request.reason ?? null,
      );
      if (!outcome.ok) throw failure(outcome);
      return { json: { released: true, record: outcome.record, warnings: outcome.warnings } };
    },
  });
  server.route({
    method: 'GET',
    path: '/api/isolations',
    handler: async () => ({ json: await service.isolator.load() }),
  });
}
