// Every HTTP route of the agent, registered in one place from the parts that answer them. Each
// resource has its own file in this folder; the parts themselves know nothing of HTTP.
import type { Health } from '../../core/health.ts';
import type { Metrics } from '../../alerts/metrics.ts';
import type { Journal } from '../../alerts/journal.ts';
import type { LiveStream } from '../../alerts/stream.ts';
import type { Inventory } from '../../collector/inventory.ts';
import type { ResponseService } from '../../response/service.ts';
import type { IncidentStore } from '../../alerts/incident-store.ts';
import type { Detection } from '../detection.ts';
import type { FlowMap } from '../flow-map.ts';
import type { Forensics } from '../forensics.ts';
import type { HttpServer } from '../server.ts';
import { registerAlertRoutes } from './alerts.ts';
import { registerBaselineRoutes } from './baselines.ts';
import { registerContainerRoutes, type StateOf } from './containers.ts';
import { registerFlowRoutes, type FlowsView } from './flows.ts';
import { registerFlowHistoryRoutes } from './flow-history.ts';
import { registerIncidentRoutes } from './incidents.ts';
import { registerTimelineRoutes } from './timeline.ts';
import { registerHealthRoutes } from './health.ts';
import { registerIsolationRoutes } from './isolation.ts';
import { registerMapRoutes } from './map.ts';
import { registerMetricsRoutes } from './metrics.ts';
import { registerOpenApiRoutes } from './openapi.ts';
import { registerStreamRoutes } from './stream.ts';
import { registerSuppressionRoutes } from './suppressions.ts';
import { registerWebRoutes } from './web.ts';

export interface RouteParts {
  health: Health;
  metrics: Metrics;
  journal: Journal;
  stream: LiveStream;
  inventory: Inventory;
  stateOf: StateOf;
  flows: FlowsView;
  detection: Detection;
  response: ResponseService;
  flowMap: FlowMap;
  incidents: IncidentStore;
  forensics: Pick<Forensics, 'timelines' | 'flowHistory'>;
}

export function registerRoutes(server: HttpServer, parts: RouteParts): void {
  registerHealthRoutes(server, parts.health);
  registerMetricsRoutes(server, parts.metrics);
  registerAlertRoutes(server, parts.journal);
  registerStreamRoutes(server, parts.stream);
  registerContainerRoutes(server, parts.inventory, parts.stateOf);
  registerIsolationRoutes(server, parts.response);
  registerFlowRoutes(server, parts.flows);
  registerMapRoutes(server, parts.flowMap, parts.inventory, parts.stateOf);
  registerFlowHistoryRoutes(server, parts.forensics.flowHistory);
  registerIncidentRoutes(server, parts.incidents);
  registerTimelineRoutes(server, parts.forensics.timelines);
  registerBaselineRoutes(server, parts.detection);
  registerSuppressionRoutes(server, parts.detection.runner);
  registerWebRoutes(server);
  registerOpenApiRoutes(server);
}
