// The flows source's door: decoded packets become attributed flows (5-tuple aggregates) and
// flow.* events; attribution says which container, host or outside address an IP is.
export { PacketProcessor, type PacketCounts, type PacketProcessorOptions } from './packet-processor.ts';
export type { FlowTable } from './flow-table.ts';
export { CidrAttributor, inventoryAttributor, type Attributor, type RemoteServices } from './flow-attribution.ts';
