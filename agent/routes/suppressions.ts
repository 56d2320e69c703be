// GET /api/suppressions: each configured suppression with how often it silenced a finding, so a
// suppression that hides more than meant is visible.
import type { DetectorRunner } from '../../detectors/index.ts';
import type { HttpServer } from '../server.ts';

export function registerSuppressionRoutes(server: HttpServer, runner: DetectorRunner): void {
  server.route({ method: 'GET', path: '/api/suppressions', handler: () => ({ json: runner.suppressions() }) });
}
