// The Alertmanager transport: POST <url>/api/v2/alerts with labels (alertname = rule, severity,
// container, workload, host) and annotations (summary, alert id). Repeats are delivered again
// (wantsRepeats) with a later endsAt, so Alertmanager keeps the alert firing while it repeats and
// resolves it on its own once repeats stop.
import type { Alert } from './alert.ts';
import { isRetryableStatus, parseRetryAfter } from './retry-policy.ts';
import { delivered, failed, retry, type AlertTransport, type SendResult } from './sink.ts';
import { sinkName } from './webhook.ts';
import type { Severity } from '../findings/index.ts';

export interface AlertmanagerConfig {
  url: string;
  min_severity: Severity;
}

export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
}

// At least this long after the last repeat before Alertmanager resolves the alert: shorter dedup
// windows would otherwise resolve an alert while a responder is still reading it.
const MIN_FIRING = 5 * 60_000;

export function toPostableAlert(alert: Alert, firingFor: number): PostableAlert {
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
  };
}

export class AlertmanagerTransport implements AlertTransport {
  readonly name: string;
  readonly minSeverity: Severity;
  readonly wantsRepeats = true;
  readonly #endpoint: string;
  readonly #firingFor: number;
  readonly #timeout: number;

  /** `firingFor`: how long after its last repeat an alert stays firing (the dedup window). */
  constructor(config: AlertmanagerConfig, firingFor: number, timeout = 5000) {
    this.name = sinkName('alertmanager', config.url);
    this.minSeverity = config.min_severity;
    this.#endpoint = `${config.url.replace(/\/+$/, '')}/api/v2/alerts`;
    this.#firingFor = firingFor;
    this.#timeout = timeout;
  }

  async send(alert: Alert, signal: AbortSignal): Promise<SendResult> {
    let response: Response;
    try {
      response = await fetch(this.#endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'shipwatch/0.1' },
        body: JSON.stringify([toPostableAlert(alert, this.#firingFor)]),
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.#timeout)]),
      });
    } catch (error) {
      return retry(`request failed: ${String((error as Error).cause ?? error)}`);
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return delivered;
    if (isRetryableStatus(response.status)) {
      return retry(`HTTP ${response.status}`, parseRetryAfter(response.headers.get('retry-after')));
    }
    return failed(`HTTP ${response.status}: ${text.slice(0, 200)}`);
  }
}
