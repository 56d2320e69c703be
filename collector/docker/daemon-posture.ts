// Facts about the daemon that the insecure_daemon_config rule judges: user namespaces, icc,
// TCP exposure without TLS, live-restore, default seccomp.
import type Docker from 'dockerode';
import { readdir, readFile } from 'node:fs/promises';
import type { DaemonPosture } from '../inventory-types.ts';

interface DockerInfo {
  ServerVersion?: string;
  SecurityOptions?: string[];
  LiveRestoreEnabled?: boolean;
  ExperimentalBuild?: boolean;
  CgroupVersion?: string;
  Driver?: string;
}

/** Pure part: what `docker info` and the default bridge say, plus the listen addresses found. */
export function postureFrom(
  info: DockerInfo,
  apiVersion: string,
  bridgeOptions: Record<string, string>,
  hosts: string[],
  tlsVerify: boolean,
): DaemonPosture {
  const security = info.SecurityOptions ?? [];
  const has = (name: string) => security.some((entry) => entry.split(',').includes(`name=${name}`));
  return {
    version: info.ServerVersion ?? 'unknown',
    apiVersion,
    hosts,
    tcpWithoutTls: hosts.some((h) => h.startsWith('tcp://')) && !tlsVerify,
    userNamespaces: has('userns'),
    // Docker's default is icc=true; the option is only present on the default bridge.
    interContainerCommunication: bridgeOptions['com.docker.network.bridge.enable_icc'] !== 'false',
    liveRestore: info.LiveRestoreEnabled === true,
    seccompDefault:
      security.some((entry) => entry.includes('name=seccomp')) &&
      !security.some((e) => e.includes('profile=unconfined')),
    rootless: has('rootless'),
    experimental: info.ExperimentalBuild === true,
    cgroupVersion: info.CgroupVersion === '1' || info.CgroupVersion === '2' ? info.CgroupVersion : null,
    storageDriver: info.Driver ?? 'unknown',
  };
}

/** -H/--host addresses and TLS verification from one dockerd command line. */
export function daemonFlags(argv: string[]): { hosts: string[]; tlsVerify: boolean } {
  const hosts: string[] = [];
  let tlsVerify = false;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const value = eq < 0 ? argv[i + 1] : arg.slice(eq + 1);
    // Exact names: --host-gateway-ip is not a listen address.
    if ((name === '-H' || name === '--host') && value) hosts.push(value);
    else if (name.startsWith('-H') && name.length > 2 && !name.startsWith('--')) hosts.push(name.slice(2));
    // Without client-certificate verification (--tls alone) anyone reaching the port is root.
    if (name === '--tlsverify' && (eq < 0 || value === 'true' || value === '1')) tlsVerify = true;
  }
  return { hosts, tlsVerify };
}

/** Normalised for comparison: "unix:///run/docker.sock" and "/run/docker.sock" are one address. */
function sameAddress(a: string, b: string): boolean {
  const norm = (x: string) => x.replace(/^unix:\/\//, '').replace(/^http:/, 'tcp:');
  return norm(a) === norm(b);
}

/**
 * The daemon's listen addresses and --tlsverify, from the command line of the dockerd we talk to
 * (the API does not report them). Several daemons may run on one host: the one listening on our
 * own address is chosen; a lone dockerd is assumed to be ours.
 */
export function pickDaemon(argvs: string[][], dockerHost: string): { hosts: string[]; tlsVerify: boolean } {
  const daemons = argvs.filter((argv) => argv[0]?.endsWith('dockerd')).map(daemonFlags);
  const ours = daemons.find((d) => d.hosts.some((h) => sameAddress(h, dockerHost)));
  const chosen = ours ?? (daemons.length === 1 ? daemons[0] : undefined) ?? { hosts: [], tlsVerify: false };
  const hosts = new Set(chosen.hosts);
  if (/^(tcp|http):\/\//.test(dockerHost)) hosts.add(dockerHost.replace(/^http:/, 'tcp:'));
  return { hosts: [...hosts], tlsVerify: chosen.tlsVerify };
}

async function listenAddresses(dockerHost: string): Promise<{ hosts: string[]; tlsVerify: boolean }> {
  const argvs: string[][] = [];
  let pids: string[] = [];
  try {
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return pickDaemon([], dockerHost);
  }
  for (const pid of pids) {
    try {
      argvs.push((await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean));
    } catch {
      // Exited meanwhile.
    }
  }
  return pickDaemon(argvs, dockerHost);
}

export async function readDaemonPosture(docker: Docker, dockerHost: string): Promise<DaemonPosture> {
  const [info, version] = await Promise.all([docker.info() as Promise<DockerInfo>, docker.version()]);
  let bridgeOptions: Record<string, string> = {};
  try {
    const bridge = await docker.getNetwork('bridge').inspect();
    bridgeOptions = bridge.Options ?? {};
  } catch {
    // No default bridge (--bridge=none): nothing to say about icc.
  }
  const { hosts, tlsVerify } = await listenAddresses(dockerHost);
  return postureFrom(info, version.ApiVersion, bridgeOptions, hosts, tlsVerify);
}
