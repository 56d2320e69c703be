// Translations of Docker API JSON (inspect, network list, events) into inventory records.
// Kept apart from the connection so they can be tested on captured JSON. Pure but for one small
// read: the container's resolv.conf, for the resolvers its DNS answers may come from.
import type Docker from 'dockerode';
import { isSecretLookingName, workloadOf, zoneOf } from '../identity.ts';
import { containerResolvers } from './resolvers.ts';
import type { ContainerInfo, ContainerNetwork, NetworkInfo, SecurityConfig } from '../inventory-types.ts';

const STATES = new Set<ContainerInfo['state']>([
  'created',
  'running',
  'paused',
  'restarting',
  'exited',
  'dead',
  'removing',
]);

function epochMs(text: string | undefined): number {
  const ms = text ? Date.parse(text) : NaN;
  // Docker reports "0001-01-01T00:00:00Z" for never.
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

function asStrings(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string' && value) return [value];
  return [];
}

function security(inspect: Docker.ContainerInspectInfo): SecurityConfig {
  const host = inspect.HostConfig;
  const envNames = (inspect.Config.Env ?? []).map((entry) => entry.split('=')[0] ?? '').filter(Boolean);
  const ports: SecurityConfig['ports'] = [];
  for (const [containerPort, bindings] of Object.entries(inspect.NetworkSettings?.Ports ?? {})) {
    for (const b of bindings ?? []) ports.push({ hostIp: b.HostIp, hostPort: Number(b.HostPort), containerPort });
  }
  return {
    privileged: host.Privileged === true,
    capAdd: asStrings(host.CapAdd),
    capDrop: asStrings(host.CapDrop),
    user: inspect.Config.User ?? '',
    networkMode: host.NetworkMode ?? 'default',
    pidMode: host.PidMode ?? '',
    ipcMode: host.IpcMode ?? '',
    usernsMode: host.UsernsMode ?? '',
    readonlyRootfs: host.ReadonlyRootfs === true,
    securityOpt: asStrings(host.SecurityOpt),
    mounts: (inspect.Mounts ?? []).map((m) => ({
      type: m.Type,
      source: m.Source,
      destination: m.Destination,
      readOnly: !m.RW,
    })),
    ports,
    memoryLimitBytes: host.Memory ?? 0,
    envNames,
    secretEnvNames: envNames.filter(isSecretLookingName),
  };
}

function networks(inspect: Docker.ContainerInspectInfo): ContainerNetwork[] {
  return Object.entries(inspect.NetworkSettings?.Networks ?? {}).map(([name, n]) => {
    const ipam = (n.IPAMConfig ?? {}) as { IPv4Address?: string; IPv6Address?: string };
    return {
      name,
      networkId: n.NetworkID,
      ipv4: n.IPAddress || null,
      ipv6: n.GlobalIPv6Address || null,
      mac: n.MacAddress || null,
      aliases: asStrings(n.Aliases),
      ipamIpv4: ipam.IPv4Address || null,
      ipamIpv6: ipam.IPv6Address || null,
      links: asStrings(n.Links),
    };
  });
}

export function containerFromInspect(inspect: Docker.ContainerInspectInfo): ContainerInfo {
  const labels = inspect.Config.Labels ?? {};
  const image = inspect.Config.Image;
  const status = inspect.State.Status as ContainerInfo['state'];
  const graph = inspect.GraphDriver?.Data as Record<string, string> | undefined;
  const health = inspect.Config.Healthcheck?.Test;
  return {
    id: inspect.Id,
    name: inspect.Name.replace(/^\//, ''),
    image,
    imageId: inspect.Image,
    workload: workloadOf(labels, image),
    labels,
    state: STATES.has(status) ? status : 'dead',
    pid: inspect.State.Pid ?? 0,
    startedAt: epochMs(inspect.State.StartedAt),
    createdAt: epochMs(inspect.Created),
    networks: networks(inspect),
    cgroupPath: null,
    upperDir: inspect.GraphDriver?.Name === 'overlay2' ? (graph?.UpperDir ?? null) : null,
    entrypoint: asStrings(inspect.Config.Entrypoint),
    cmd: asStrings(inspect.Config.Cmd),
    healthcheck: health && health[0] !== 'NONE' ? health : null,
    security: security(inspect),
    resolvers: containerResolvers(inspect.HostConfig?.Dns, inspect.ResolvConfPath),
  };
}

/** The Linux bridge behind a bridge network, the interface packets are captured on. */
export function bridgeInterface(network: Docker.NetworkInspectInfo): string | null {
  if (network.Driver !== 'bridge') return null;
  const named = network.Options?.['com.docker.network.bridge.name'];
  if (named) return named;
  return network.Name === 'bridge' ? 'docker0' : `br-${network.Id.slice(0, 12)}`;
}

export function networkFromInspect(
  network: Docker.NetworkInspectInfo,
  zoneMapping: Readonly<Record<string, string>>,
): NetworkInfo {
  const configs = network.IPAM?.Config ?? [];
  const labels = network.Labels ?? {};
  return {
    id: network.Id,
    name: network.Name,
    driver: network.Driver,
    bridge: bridgeInterface(network),
    subnets: configs.map((c) => c.Subnet).filter((s): s is string => Boolean(s)),
    gateways: configs.map((c) => c.Gateway).filter((g): g is string => Boolean(g)),
    internal: network.Internal === true,
    labels,
    zone: zoneOf(network.Name, labels, zoneMapping),
  };
}

/** A message of GET /events, as the daemon sends it (one JSON object per line). */
export interface DockerEventMessage {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes?: Record<string, string> };
  time: number;
  timeNano?: number;
}

/** "exec_start: sh -c id" → { action: "exec_start", detail: "sh -c id" }. */
export function splitAction(action: string): { action: string; detail: string } {
  const colon = action.indexOf(':');
  if (colon < 0) return { action, detail: '' };
  return { action: action.slice(0, colon), detail: action.slice(colon + 1).trim() };
}

/**
 * What a message must keep its daemon order with (docker-source.ts handles messages of different
 * keys concurrently): the container it is about — a network's connect or disconnect is about a
 * container too, and is ordered with that container's start and stop — else the network.
 */
export function orderKeyOf(message: DockerEventMessage): string {
  const container = message.Type === 'network' ? message.Actor.Attributes?.container : undefined;
  if (container) return `container:${container}`;
  return `${message.Type}:${message.Actor.ID}`;
}
