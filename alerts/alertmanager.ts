// The Alertmanager transport: POST <url>/api/v2/alerts with labels (alertname = rule, severity,
// container, workload, host) and annotations (summary, alert id), and a generatorURL back to the
// alert on the agent. Repeats are delivered again (wantsRepeats) with a later endsAt, so
// Alertmanager keeps the alert firing while it repeats and resolves it on its own once repeats
// stop. One transport per URL: an HA cluster wants every member told (Alertmanager's own
// guidance: clients send to all instances, the cluster deduplicates notifications).
import type { Alert } from './alert.ts';
import { postForResult, type TlsMaterial } from './http-post.ts';
import { isIncidentNotice, type DeliverWhat, type Deliverable, type IncidentNotice } from './incident-delivery.ts';
import { failed, type AlertTransport, type SendResult } from './sink.ts';
import { sinkName } from './webhook.ts';
import { ShipwatchError } from '../core/errors.ts';
import { readSecretBytes, readSecretFile, type FileRead } from '../core/secret-files.ts';
import type { Severity } from '../findings/index.ts';

export interface AlertmanagerConfig {
  url: string;
  min_severity: Severity;
  deliver?: DeliverWhat;
  basic_auth?: { readonly username: string; readonly password_file: string } | null | undefined;
  bearer_token_file?: string | null | undefined;
  tls?:
    | {
        readonly ca?: string | undefined;
        readonly cert?: string | undefined;
        readonly key?: string | undefined;
        readonly insecure_skip_verify: boolean;
      }
    | null
    | undefined;
}

export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

// At least this long after the last repeat before Alertmanager resolves the alert: shorter dedup
// windows would otherwise resolve an alert while a responder is still reading it.
const MIN_FIRING = 5 * 60_000;

/**
 * Where the alert can be read on the agent: its journal entry through GET /api/alerts, narrowed
 * to its rule, its container and its time, so the list the link opens holds it.
 */
export function generatorUrl(agentUrl: string, alert: Alert): string {
  const query = new URLSearchParams({ rule: alert.rule, since: alert.firstSeen });
  if (alert.container) query.set('container', alert.container.id.slice(0, 12));
  return `${agentUrl.replace(/\/+$/, '')}/api/alerts?${query.toString()}`;
}

export function toPostableAlert(alert: Alert, firingFor: number, agentUrl: string | null = null): PostableAlert {
  return {
    labels: {
      alertname: alert.rule,
      severity: alert.severity,
      // Alertmanager treats an empty label as absent; host-level alerts say so explicitly.
      container: alert.container?.name ?? 'host',
      workload: alert.container?.workload ?? 'host',
      host: alert.host,
      // Alertmanager identifies an alert by its label set: without the id, two alerts of one rule
      // in one container (different destinations, say) would merge into one.
      alert_id: alert.id,
    },
    annotations: {
      summary: alert.summary,
      alert_id: alert.id,
      count: String(alert.count),
      ...(alert.mitre ? { mitre_tactic: alert.mitre.tactic, mitre_technique: alert.mitre.technique } : {}),
    },
    startsAt: alert.firstSeen,
    endsAt: new Date(Date.parse(alert.lastSeen) + Math.max(firingFor, MIN_FIRING)).toISOString(),
    ...(agentUrl ? { generatorURL: generatorUrl(agentUrl, alert) } : {}),
  };
}

/**
 * An incident as one Alertmanager alert (alertname shipwatch_incident, labelled by incident id):
 * firing while it is open and grows, resolved (endsAt = its end) once it closes.
 */
export function incidentToPostable(notice: IncidentNotice, firingFor: number, agentUrl: string | null): PostableAlert {
  const { incident } = notice;
  const endsAt =
    incident.state === 'closed'
      ? incident.end
      : new Date(Date.parse(incident.end) + Math.max(firingFor, MIN_FIRING)).toISOString();
  return {
    labels: {
      alertname: 'shipwatch_incident',
      severity: incident.severity,
      container: incident.containers.map((c) => c.name).join(',') || 'host',
      host: incident.host,
      incident_id: incident.id,
    },
    annotations: {
      summary: incident.title,
      incident_id: incident.id,
      alerts: String(incident.alertCount),
      tactics: incident.tactics.join(' > '),
      ...(incident.story ? { story: incident.story.title } : {}),
    },
    startsAt: incident.start,
    endsAt,
    ...(agentUrl ? { generatorURL: `${agentUrl.replace(/\/+$/, '')}/api/incidents/${incident.id}` } : {}),
  };
}

/** What a config-named file holds, or the agent's config error naming the key and the file. */
function required<T>(read: FileRead<T>, what: string): T {
  if (!read.ok) throw new ShipwatchError('SW_CONFIG_UNREADABLE', `alertmanager ${what}: ${read.message}`);
  return read.value;
}

/** Headers and TLS material from the files the config names, read once at start. */
function credentials(config: AlertmanagerConfig): { headers: Record<string, string>; tls: TlsMaterial | null } {
  const headers: Record<string, string> = {};
  if (config.basic_auth) {
    const password = required(readSecretFile(config.basic_auth.password_file), 'password_file').trim();
    headers.authorization = `Basic ${Buffer.from(`${config.basic_auth.username}:${password}`).toString('base64')}`;
  }
  if (config.bearer_token_file) {
    headers.authorization = `Bearer ${required(readSecretFile(config.bearer_token_file), 'bearer_token_file').trim()}`;
  }
  const tls = config.tls
    ? {
        ca: config.tls.ca ? required(readSecretBytes(config.tls.ca), 'tls.ca') : undefined,
        cert: config.tls.cert ? required(readSecretBytes(config.tls.cert), 'tls.cert') : undefined,
        key: config.tls.key ? required(readSecretBytes(config.tls.key), 'tls.key') : undefined,
        rejectUnauthorized: !config.tls.insecure_skip_verify,
      }
    : null;
  return { headers, tls };
}

export interface AlertmanagerOptions {
  /** How long after its last repeat an alert stays firing (the dedup window). */
  firingFor: number;
  /** Base URL of the agent's HTTP API, for generatorURL; null leaves it out. */
  agentUrl: string | null;
  timeout?: number;
}

export class AlertmanagerTransport implements AlertTransport {
  readonly name: string;
  readonly minSeverity: Severity;
  readonly wantsRepeats = true;
  readonly deliver: DeliverWhat;
  readonly #endpoint: string;
  readonly #o: AlertmanagerOptions;
  readonly #headers: Record<string, string>;
  readonly #tls: TlsMaterial | null;

  constructor(config: AlertmanagerConfig, options: AlertmanagerOptions) {
    this.name = sinkName('alertmanager', config.url);
    this.minSeverity = config.min_severity;
    this.deliver = config.deliver ?? 'alerts';
    this.#endpoint = `${config.url.replace(/\/+$/, '')}/api/v2/alerts`;
    this.#o = options;
    const { headers, tls } = credentials(config);
    this.#headers = { ...headers, 'user-agent': 'shipwatch/0.1' };
    this.#tls = tls;
  }

  async send(alert: Deliverable, signal: AbortSignal): Promise<SendResult> {
    const postable = isIncidentNotice(alert)
      ? incidentToPostable(alert, this.#o.firingFor, this.#o.agentUrl)
      : toPostableAlert(alert, this.#o.firingFor, this.#o.agentUrl);
    return postForResult(
      this.#endpoint,
      JSON.stringify([postable]),
      { headers: this.#headers, timeout: this.#o.timeout ?? 5000, signal, tls: this.#tls },
      (answer) => failed(`HTTP ${answer.status}: ${answer.text.slice(0, 200)}`),
    );
  }
}
