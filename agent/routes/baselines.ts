// /api/baselines (list, read, replace, reset). Workload names hold a slash
// (shop/api): both /api/baselines/shop%2Fapi and /api/baselines/shop/api work.
import { ZodError } from 'zod';
import { badRequest, notFound } from '../../core/http-errors.ts';
import type { HttpServer, RequestContext } from '../server.ts';
import { parseBaseline, type DetectorRunner } from '../../detectors/index.ts';

function workloadParam(ctx: RequestContext): string {
  const { workload, project, service } = ctx.params;
  return workload ?? `${project}/${service}`;
}

/**
 * What the routes need of the detection wiring: its runner, and a save that writes a changed
 * baseline now. Narrow: the routes need no more of agent/detection.ts than these two.
 */
export interface BaselineRoutesTarget {
  readonly runner: DetectorRunner;
  flush(): void;
  /** Told of a replacement or reset (the fleet applies it everywhere), with the token's name. */
  replaced?(workload: string, actor: string): void;
}

export function registerBaselineRoutes(server: HttpServer, detection: BaselineRoutesTarget): void {
  const runner = detection.runner;
  server.route({
    method: 'GET',
    path: '/api/baselines',
    handler: () => ({
      json: runner.baselines().map((b) => ({
        workload: b.workload,
        state: runner.phase(b.workload),
        mode: b.mode,
        firstSeen: new Date(b.firstSeen).toISOString(),
        learnUntil: new Date(b.learnUntil).toISOString(),
        egress: b.egress.length,
        peers: b.peers.length,
        inbound: b.inbound.length,
        executables: b.executables.length,
        pathPrefixes: b.pathPrefixes.length,
      })),
    }),
  });
  for (const path of ['/api/baselines/:workload', '/api/baselines/:project/:service']) {
    server.route({
      method: 'GET',
      path,
      handler: (ctx) => {
        const workload = workloadParam(ctx);
        const baseline = runner.baseline(workload);
        if (!baseline) throw notFound(`no baseline for workload ${workload}`);
        return { json: { ...baseline, state: runner.phase(workload) } };
      },
    });
    server.route({
      method: 'PUT',
      path,
      mutating: true,
      handler: (ctx) => {
        const workload = workloadParam(ctx);
        const body = ctx.body && typeof ctx.body === 'object' ? { workload, ...ctx.body, state: undefined } : ctx.body;
        if (body && typeof body === 'object') delete (body as Record<string, unknown>).state;
        let baseline;
        try {
          baseline = parseBaseline(body, workload);
        } catch (error) {
          const why =
            error instanceof ZodError
              ? error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
              : String(error);
          throw badRequest(`invalid baseline: ${why}`);
        }
        runner.putBaseline(baseline);
        detection.flush();
        detection.replaced?.(workload, ctx.actor);
        return { json: { ...baseline, state: runner.phase(workload) } };
      },
    });
    server.route({
      method: 'DELETE',
      path,
      mutating: true,
      handler: (ctx) => {
        const workload = workloadParam(ctx);
        const existed = runner.resetBaseline(workload);
        detection.flush();
        detection.replaced?.(workload, ctx.actor);
        if (!existed) throw notFound(`no baseline for workload ${workload}`);
        return { json: { workload, reset: true } };
      },
    });
  }
}
