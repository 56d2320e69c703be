// The Falco-compatible rendering of an alert (the JSON Falco's http_output sends and falcosidekick
// takes), so existing Falco pipelines can take shipwatch alerts unchanged. Every detail Falco has a
// field for goes under Falco's name with Falco's meaning (falco.org "Supported Fields"), so Falco
// rules, falcosidekick templates and Falco Talon find it where they look; the rest stays under
// `shipwatch.*`.
import { createHash } from 'node:crypto';
import type { Alert } from './alert.ts';
import { detailFields, type FalcoFields } from './falco-fields.ts';
import type { Severity } from '../findings/index.ts';

export interface FalcoEvent {
  uuid: string;
  time: string;
  rule: string;
  priority: FalcoPriority;
  output: string;
  output_fields: FalcoFields;
  tags: string[];
  hostname: string;
  source: string;
}

/** Falco's priorities, the syslog levels, most severe first. */
export const FALCO_PRIORITIES = [
  'Emergency',
  'Alert',
  'Critical',
  'Error',
  'Warning',
  'Notice',
  'Informational',
  'Debug',
] as const;
export type FalcoPriority = (typeof FALCO_PRIORITIES)[number];

// shipwatch's five severities onto the levels Falco's own rules use: Emergency and Alert are left
// to the operator's host-wide tooling, Debug to noise shipwatch does not raise.
const PRIORITY: Record<Severity, FalcoPriority> = {
  info: 'Informational',
  low: 'Notice',
  medium: 'Warning',
  high: 'Error',
  critical: 'Critical',
};

/** `registry:5000/shop/api:1.4@sha256:…` → repository `registry:5000/shop/api`, tag `1.4`. */
export function splitImage(image: string): { repository: string; tag: string | null } {
  const withoutDigest = image.split('@')[0] ?? image;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  // A colon before the last slash belongs to a registry's port, not to a tag.
  if (colon <= slash) return { repository: withoutDigest, tag: null };
  return { repository: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1) };
}

/**
 * Falco gives every event a UUID; this one is derived from the alert id, so a resend of one alert
 * carries the same uuid and a receiver can drop the duplicate.
 */
export function falcoUuid(alertId: string): string {
  const hex = /^[0-9a-f]{32}$/.test(alertId) ? alertId : createHash('sha256').update(alertId).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function containerFields(alert: Alert): FalcoFields {
  const container = alert.container;
  // Falco names host events' container "host" too.
  if (!container) return { 'container.id': 'host', 'container.name': 'host' };
  const image = splitImage(container.image);
  return {
    'container.id': container.id.slice(0, 12),
    'container.full_id': container.id,
    'container.name': container.name,
    'container.image': container.image,
    'container.image.repository': image.repository,
    'container.image.tag': image.tag,
    'shipwatch.workload': container.workload,
  };
}

export function toFalco(alert: Alert): FalcoEvent {
  const fields: FalcoFields = {
    ...containerFields(alert),
    ...detailFields(alert),
    'shipwatch.id': alert.id,
    'shipwatch.count': alert.count,
    'shipwatch.severity': alert.severity,
  };
  if (alert.mitre) {
    fields['shipwatch.mitre.tactic'] = alert.mitre.tactic;
    fields['shipwatch.mitre.technique'] = alert.mitre.technique;
  }
  const tags = [...alert.tags];
  if (alert.mitre) tags.push(`mitre_${alert.mitre.tactic}`, alert.mitre.technique);
  const priority = PRIORITY[alert.severity];
  return {
    uuid: falcoUuid(alert.id),
    time: alert.time,
    rule: alert.rule,
    priority,
    // Falco's output starts with the time and priority, then the sentence.
    output: `${alert.time}: ${priority} ${alert.summary}`,
    output_fields: fields,
    tags,
    hostname: alert.host,
    source: 'shipwatch',
  };
}
