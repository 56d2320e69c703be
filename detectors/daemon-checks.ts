// The Docker daemon's risky settings, each naming its CIS Docker Benchmark (v1.6.0) control.
import type { DaemonPosture } from '../collector/inventory-types.ts';
import type { ConfigFinding } from '../findings/index.ts';

export function daemonFindings(p: DaemonPosture): ConfigFinding[] {
  const out: ConfigFinding[] = [];
  if (p.tcpWithoutTls)
    out.push({
      id: 'tcp_without_tls',
      description: 'exposes its API over TCP without TLS (anyone who reaches the port is root on the host)',
      severity: 'critical',
      cis: '2.7',
    });
  if (!p.userNamespaces && !p.rootless)
    out.push({
      id: 'no_userns',
      description: 'runs without user namespace remapping (root in a container is root on the host)',
      severity: 'medium',
      cis: '2.9',
    });
  if (p.interContainerCommunication)
    out.push({
      id: 'icc_enabled',
      description: 'allows unrestricted traffic between containers on the default bridge (icc)',
      severity: 'medium',
      cis: '2.2',
    });
  if (!p.liveRestore)
    out.push({
      id: 'no_live_restore',
      description: 'has live-restore disabled (containers stop when the daemon restarts)',
      severity: 'low',
      cis: '2.15',
    });
  if (!p.seccompDefault)
    out.push({
      id: 'no_default_seccomp',
      description: 'has no default seccomp profile',
      severity: 'medium',
      cis: '2.17',
    });
  if (p.experimental)
    out.push({
      id: 'experimental',
      description: 'runs with experimental features enabled',
      severity: 'low',
      cis: '2.18',
    });
  if (p.storageDriver === 'aufs')
    out.push({ id: 'aufs', description: 'uses the aufs storage driver', severity: 'low', cis: '2.6' });
  return out;
}
