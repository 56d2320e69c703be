// Every NATS name the fleet uses, in one place: subjects carry the host (and the rule) as tokens,
// so a server's permissions can let an agent publish its own host's subjects only
// (docs/multi-host.md).

export const ALERTS_STREAM = 'SHIPWATCH_ALERTS';
export const FLOWS_STREAM = 'SHIPWATCH_FLOWS';
export const BASELINES_BUCKET = 'shipwatch_baselines';
export const HOSTS_BUCKET = 'shipwatch_hosts';

/** A subject token: NATS forbids dots, spaces and wildcards inside one. */
export function token(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_') || '_';
}

export const alertSubject = (host: string, rule: string) => `shipwatch.alerts.${token(host)}.${token(rule)}`;
export const flowSubject = (host: string) => `shipwatch.flows.${token(host)}`;
export const actionSubject = (host: string) => `shipwatch.actions.${token(host)}`;

/** A KV key for a workload (shop/api): KV keys allow [-/_=.A-Za-z0-9]; anything else is =XX. */
export function workloadKey(workload: string): string {
  return [...Buffer.from(workload, 'utf8')]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[-/_A-Za-z0-9]/.test(char) ? char : `=${byte.toString(16).padStart(2, '0')}`;
    })
    .join('');
}

export const hostKey = (host: string) => token(host);

/** A host's published ports in the hosts bucket, beside its heartbeat; written only when they change. */
export const servicesKey = (host: string) => `services.${token(host)}`;
