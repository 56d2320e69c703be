// The risky settings of a container, each naming its CIS Docker Benchmark (v1.6.0) control where
// one fits. Pure: from ContainerInfo (and the trusted registries) to a list of findings.
import type { ContainerInfo } from '../collector/inventory-types.ts';
import type { ConfigFinding } from '../findings/index.ts';

const DANGEROUS_CAPS = new Set([
  'ALL',
  'SYS_ADMIN',
  'NET_ADMIN',
  'SYS_PTRACE',
  'SYS_MODULE',
  'DAC_READ_SEARCH',
  'SYS_RAWIO',
  'SYS_BOOT',
  'SYS_TIME',
  'MAC_ADMIN',
  'MAC_OVERRIDE',
  'BPF',
  'PERFMON',
  'NET_RAW',
]);
const DOCKER_SOCKETS = [
  '/var/run/docker.sock',
  '/run/docker.sock',
  '/var/run/containerd/containerd.sock',
  '/run/containerd/containerd.sock',
];
const SENSITIVE_HOST_DIRS = ['/', '/etc', '/boot', '/dev', '/lib', '/proc', '/sys', '/usr', '/root', '/var/lib/docker'];

/** The registry an image reference names: docker.io for short names, as Docker resolves them. */
export function registryOf(image: string): string {
  const first = image.split('/')[0] ?? '';
  const hasRegistry = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return hasRegistry ? first : 'docker.io';
}

function isRootUser(user: string): boolean {
  const name = user.split(':')[0] ?? '';
  return name === '' || name === 'root' || name === '0';
}

/** `daemonUserns`: the daemon remaps users (userns-remap), so root inside is not root outside. */
export function configFindings(
  info: ContainerInfo,
  trustedRegistries: readonly string[],
  daemonUserns = false,
): ConfigFinding[] {
  const s = info.security;
  const out: ConfigFinding[] = [];
  const add = (id: string, description: string, severity: ConfigFinding['severity'], cis: string | null) =>
    out.push({ id, description, severity, cis });
  if (s.privileged) add('privileged', 'runs privileged: every device and capability of the host', 'critical', '5.5');
  for (const mount of s.mounts) {
    const source = mount.source.replace(/\/+$/, '') || '/';
    if (DOCKER_SOCKETS.includes(source))
      add(
        'docker_socket',
        `mounts the container runtime socket ${source} (host root for whoever is inside)`,
        'critical',
        '5.32',
      );
    else if (source === '/')
      add(
        'host_root',
        `mounts the host's root file system at ${mount.destination}${mount.readOnly ? ' (read-only)' : ''}`,
        'critical',
        '5.6',
      );
    else if (SENSITIVE_HOST_DIRS.includes(source))
      add(
        'sensitive_mount',
        `mounts the host directory ${source} at ${mount.destination}${mount.readOnly ? ' (read-only)' : ''}`,
        mount.readOnly ? 'medium' : 'high',
        '5.6',
      );
  }
  if (s.networkMode === 'host') add('host_network', "shares the host's network namespace", 'high', '5.10');
  if (s.pidMode === 'host') add('host_pid', "shares the host's process namespace", 'high', '5.16');
  if (s.ipcMode === 'host') add('host_ipc', "shares the host's IPC namespace", 'high', '5.17');
  const caps = s.capAdd.map((c) => c.toUpperCase().replace(/^CAP_/, '')).filter((c) => DANGEROUS_CAPS.has(c));
  if (caps.length) add('dangerous_capabilities', `adds dangerous capabilities: ${caps.join(', ')}`, 'high', '5.4');
  if (isRootUser(s.user) && !(daemonUserns && s.usernsMode !== 'host'))
    add('root_user', 'runs as root without a user namespace', 'medium', '4.1');
  for (const opt of s.securityOpt) {
    if (/^seccomp[=:]unconfined$/i.test(opt))
      add('seccomp_unconfined', 'runs without a seccomp profile', 'high', '5.22');
    if (/^apparmor[=:]unconfined$/i.test(opt))
      add('apparmor_unconfined', 'runs without an AppArmor profile', 'medium', '5.2');
  }
  if (s.secretEnvNames.length)
    add(
      'secret_env',
      `has secret-looking environment variables (values not shown): ${s.secretEnvNames.join(', ')}`,
      'medium',
      '4.10',
    );
  for (const p of s.ports) {
    if (p.hostIp === '' || p.hostIp === '0.0.0.0' || p.hostIp === '::')
      add(
        'port_all_interfaces',
        `publishes ${p.containerPort} on all host interfaces (host port ${p.hostPort})`,
        'medium',
        '5.14',
      );
    if (p.hostPort > 0 && p.hostPort < 1024)
      add('privileged_port', `publishes ${p.containerPort} on privileged host port ${p.hostPort}`, 'low', '5.8');
  }
  if (trustedRegistries.length && !trustedRegistries.includes(registryOf(info.image))) {
    add(
      'untrusted_registry',
      `runs the image ${info.image} from ${registryOf(info.image)}, outside the trusted registries`,
      'medium',
      '4.2',
    );
  }
  if (!s.readonlyRootfs) add('writable_rootfs', 'has a writable root file system', 'low', '5.13');
  if (s.memoryLimitBytes <= 0) add('no_memory_limit', 'has no memory limit', 'low', '5.11');
  return out;
}
