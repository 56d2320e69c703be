// What the collector knows about containers, networks and the daemon: the inventory's records.

export interface ContainerNetwork {
  /** Docker network name. */
  name: string;
  networkId: string;
  ipv4: string | null;
  ipv6: string | null;
  mac: string | null;
  aliases: string[];
  /** Addresses the user asked for (IPAMConfig), restored exactly on release. */
  ipamIpv4: string | null;
  ipamIpv6: string | null;
  links: string[];
}

export interface Mount {
  type: string;
  source: string;
  destination: string;
  readOnly: boolean;
}

export interface SecurityConfig {
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  user: string;
  networkMode: string;
  pidMode: string;
  ipcMode: string;
  usernsMode: string;
  readonlyRootfs: boolean;
  securityOpt: string[];
  mounts: Mount[];
  /** Published ports: host ip ("" = all interfaces), host port, container port/proto. */
  ports: { hostIp: string; hostPort: number; containerPort: string }[];
  memoryLimitBytes: number;
  /** Names (never values) of environment variables. */
  envNames: string[];
  /** Names of environment variables whose name looks like a secret (values never kept). */
  secretEnvNames: string[];
}

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  imageId: string;
  workload: string;
  labels: Record<string, string>;
  state: 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead' | 'removing';
  /** Init process pid on the host (0 when not running). */
  pid: number;
  /** Epoch ms the container last started (0 if never). */
  startedAt: number;
  createdAt: number;
  networks: ContainerNetwork[];
  /** cgroup path relative to a controller mount, e.g. /docker/<id>. */
  cgroupPath: string | null;
  /** overlay2 UpperDir: everything the container writes lands here. */
  upperDir: string | null;
  entrypoint: string[];
  cmd: string[];
  healthcheck: string[] | null;
  security: SecurityConfig;
  /** Resolvers it is configured with (--dns, its resolv.conf), loopback left out: see docker/resolvers.ts. */
  resolvers?: string[];
}

export interface NetworkInfo {
  id: string;
  name: string;
  driver: string;
  /** Linux bridge interface: docker0 for "bridge", br-<first 12 of id> otherwise (or the bridge name option). */
  bridge: string | null;
  subnets: string[];
  gateways: string[];
  internal: boolean;
  labels: Record<string, string>;
  zone: string;
}

export interface DaemonPosture {
  version: string;
  apiVersion: string;
  /** Unix socket / tcp URLs the daemon listens on, where known. */
  hosts: string[];
  tcpWithoutTls: boolean;
  userNamespaces: boolean;
  interContainerCommunication: boolean;
  liveRestore: boolean;
  seccompDefault: boolean;
  rootless: boolean;
  experimental: boolean;
  cgroupVersion: '1' | '2' | null;
  storageDriver: string;
}
