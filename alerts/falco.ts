// The Falco-compatible rendering of an alert (the JSON falcosidekick and Falco's http_output
// send), so existing Falco pipelines can take shipwatch alerts unchanged.
import type { Alert } from './alert.ts';
import type { Severity } from '../findings/index.ts';

export interface FalcoEvent {
  time: string;
  rule: string;
  priority: string;
  output: string;
  output_fields: Record<string, string | number | boolean | null>;
  tags: string[];
  hostname: string;
  source: string;
}

// Falco's priorities are syslog levels; shipwatch's five severities map onto the ones Falco rules use.
const PRIORITY: Record<Severity, string> = {
  info: 'Informational',
  low: 'Notice',
  medium: 'Warning',
  high: 'Error',
  critical: 'Critical',
};

/** Flattens nested details into Falco-style dotted field names (`flow.dst.ip`). */
function flatten(value: unknown, prefix: string, into: FalcoEvent['output_fields']): void {
  if (value === null || typeof value !== 'object') {
    into[prefix] = value === undefined ? null : (value as string | number | boolean | null);
    return;
  }
  if (Array.isArray(value)) {
    into[prefix] = JSON.stringify(value);
    return;
  }
  for (const [key, inner] of Object.entries(value)) flatten(inner, `${prefix}.${key}`, into);
}

export function toFalco(alert: Alert): FalcoEvent {
  const fields: FalcoEvent['output_fields'] = {
    'shipwatch.id': alert.id,
    'shipwatch.count': alert.count,
    'container.id': alert.container?.id.slice(0, 12) ?? 'host',
    'container.full_id': alert.container?.id ?? null,
    'container.name': alert.container?.name ?? 'host',
    'container.image.repository': alert.container?.image ?? null,
    'shipwatch.workload': alert.container?.workload ?? null,
  };
  for (const [key, inner] of Object.entries(alert.details)) flatten(inner, `shipwatch.${key}`, fields);
  const tags = [...alert.tags];
  if (alert.mitre) tags.push(`mitre_${alert.mitre.tactic}`, alert.mitre.technique);
  return {
    time: alert.time,
    rule: alert.rule,
    priority: PRIORITY[alert.severity],
    // Falco's output starts with the time and priority, then the sentence.
    output: `${alert.time}: ${PRIORITY[alert.severity]} ${alert.summary}`,
    output_fields: fields,
    tags,
    hostname: alert.host,
    source: 'shipwatch',
  };
}
