// Shared wording and detail shapes, so every rule names containers and destinations the same way
// in its summary sentence.
import type { ContainerRef, Endpoint, FlowRecord, ProcessInfo } from '../collector/events.ts';
import type { FlowDetails, ProcessDetails } from '../findings/index.ts';
import { cmdline } from './process-classify.ts';

/** `api (shop/api)`; the workload is left out when it is the name itself. */
export function who(container: ContainerRef): string {
  // A container of another host of the fleet is named with its host: host-b/api.
  const name = container.host === undefined ? container.name : `${container.host}/${container.name}`;
  return container.name === container.workload ? name : `${name} (${container.workload})`;
}

export function destination(endpoint: Endpoint, protocol: string): string {
  const address = endpoint.ip.includes(':') ? `[${endpoint.ip}]` : endpoint.ip;
  const where = endpoint.port === null ? address : `${address}:${endpoint.port}`;
  const named = endpoint.name ? `${endpoint.name} (${where}/${protocol})` : `${where}/${protocol}`;
  return named;
}

export function flowDetails(flow: FlowRecord, extra: Partial<FlowDetails> = {}): { flow: FlowDetails } {
  return {
    flow: {
      protocol: flow.protocol,
      src: { ip: flow.src.ip, port: flow.src.port },
      dst: { ip: flow.dst.ip, port: flow.dst.port, name: flow.dst.name },
      network: flow.network,
      bytes: flow.bytesOut + flow.bytesIn,
      packets: flow.packetsOut + flow.packetsIn,
      ...extra,
    },
  };
}

export function processDetails(process: ProcessInfo): { process: ProcessDetails } {
  return {
    process: {
      pid: process.pid,
      ppid: process.ppid,
      exe: process.exe,
      cmdline: cmdline(process.argv),
      uid: process.uid,
      parentExe: process.parentExe,
      execId: process.execId,
    },
  };
}

export function quoted(argv: readonly string[]): string {
  return `"${cmdline(argv, 120)}"`;
}
