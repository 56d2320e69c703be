// Facts about the daemon that the insecure_daemon_config rule judges: user namespaces, icc,
// TCP exposure without TLS, live-restore, default seccomp.
import type Docker from 'dockerode';
import { readdir, readFile } from 'node:fs/promises';
import type { DaemonPosture } from './inventory-types.ts';

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

/**
 * The daemon's -H/--host addresses and --tlsverify, from the command lines of dockerd processes
 * on this host (the API does not report them), plus the address we connect to ourselves.
 */
async function listenAddresses(dockerHost: string): Promise<{ hosts: string[]; tlsVerify: boolean }> {
  const hosts = new Set<string>();
  let tlsVerify = false;
  if (/^(tcp|http):\/\//.test(dockerHost)) hosts.add(dockerHost.replace(/^http:/, 'tcp:'));
  let pids: string[] = [];
  try {
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return { hosts: [...hosts], tlsVerify };
  }
  for (const pid of pids) {
    let argv: string[];
    try {
      argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
    } catch {
      continue;
    }
    if (!argv[0]?.endsWith('dockerd')) continue;
    for (let i = 1; i < argv.length; i++) {
      const arg = argv[i] ?? '';
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[i + 1];
      if ((arg === '-H' || arg.startsWith('--host')) && value) hosts.add(value);
      if (arg === '--tlsverify' || arg === '--tlsverify=true') tlsVerify = true;
    }
  }
  return { hosts: [...hosts], tlsVerify };
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
