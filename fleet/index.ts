// The fleet's only door: the NATS JetStream bus, shared baselines, fleet streams, remote actions
// and the hub's view (DESIGN.md "Fleet").
export { FleetBus, connectionOptions, type FleetHandles, type FleetSettings } from './bus.ts';
export { BaselineSync, BASELINE_FORMAT, type BaselineCodec, type RemoteBaseline } from './baseline-sync.ts';
export { FleetPublisher, HEARTBEAT_MS, STALE_AFTER_MS, type Heartbeat } from './publish.ts';
export {
  ACTION_TIMEOUT_MS,
  HostDidNotAnswerError,
  requestAction,
  serveActions,
  type ActionReply,
  type ActionRequest,
} from './actions.ts';
export { HubView, type HostView, type HubAlert } from './hub-view.ts';
export * as subjects from './subjects.ts';
export { MAX_SERVICES_PER_HOST, ServiceDirectory, type PublishedService } from './service-directory.ts';
