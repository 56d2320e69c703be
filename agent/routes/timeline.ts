// GET /api/containers/{id or name}/timeline?since= — what shipwatch saw of one container, oldest
// first, from its timeline files: it answers for a removed container too, for as long as the
// timeline is kept (timeline.keep_after_removal).
import type { Timelines } from '../../alerts/timeline.ts';
import { parseSince } from '../../core/duration.ts';
import { badRequest, notFound } from '../../core/http-errors.ts';
import type { HttpServer } from '../server.ts';

export function registerTimelineRoutes(server: HttpServer, timelines: Timelines): void {
  server.route({
    method: 'GET',
    path: '/api/containers/:id/timeline',
    handler: ({ params, query }) => {
      const since = query.get('since');
      const from = since ? parseSince(since) : undefined;
      if (from === null) throw badRequest(`since: expected an ISO time or a duration like 15m, got "${since}"`);
      const timeline = timelines.read(params.id ?? '', from);
      if (!timeline) throw notFound(`no timeline for a container with id or name "${params.id ?? ''}"`);
      return { json: timeline };
    },
  });
}
