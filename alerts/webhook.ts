// The webhook transport: POST of the alert JSON (or its Falco rendering) with an optional
// HMAC-SHA256 signature over the exact body bytes, optional Standard Webhooks signatures over
// id, time and body, custom headers and a timeout. Status codes
// become send results; retries and the queue live in QueuedSink.
import { createHash, createHmac } from 'node:crypto';
import { incidentBody, isIncidentNotice, type DeliverWhat, type Deliverable } from './incident-delivery.ts';
import { toFalco } from './falco.ts';
import { postForResult } from './http-post.ts';
import { StandardWebhooksSigner } from './standard-webhooks.ts';
import { failed, retry, type AlertTransport, type SendResult } from './sink.ts';
import type { Severity } from '../findings/index.ts';

export interface WebhookConfig {
  url: string;
  format: 'shipwatch' | 'falco';
  secret?: string | undefined;
  /** `whsec_<base64>`: adds the Standard Webhooks headers (webhook-id, -timestamp, -signature). */
  standard_webhooks_secret?: string | undefined;
  headers: Readonly<Record<string, string>>;
  /** ms */
  timeout: number;
  min_severity: Severity;
  deliver?: DeliverWhat;
}

export const SIGNATURE_HEADER = 'x-shipwatch-signature';

/** `sha256=<hex>` of HMAC-SHA256(secret, body), the form GitHub's webhooks made familiar. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Stable short name of a sink for metrics and its queue directory: kind, host and a hash of the URL. */
export function sinkName(kind: string, url: string): string {
  const hash = createHash('sha256').update(url).digest('hex').slice(0, 8);
  return `${kind}-${new URL(url).host.replace(/[^a-zA-Z0-9.-]/g, '_')}-${hash}`;
}

export class WebhookTransport implements AlertTransport {
  readonly name: string;
  readonly minSeverity: Severity;
  readonly wantsRepeats = false;
  readonly deliver: DeliverWhat;
  readonly #c: WebhookConfig;
  readonly #standard: StandardWebhooksSigner | null;
  readonly #now: () => number;

  constructor(config: WebhookConfig, now: () => number = Date.now) {
    this.#c = config;
    this.#standard = config.standard_webhooks_secret
      ? new StandardWebhooksSigner(config.standard_webhooks_secret)
      : null;
    this.#now = now;
    this.name = sinkName('webhook', config.url);
    this.minSeverity = config.min_severity;
    this.deliver = config.deliver ?? 'alerts';
  }

  render(alert: Deliverable): string {
    if (isIncidentNotice(alert)) return incidentBody(alert);
    return JSON.stringify(this.#c.format === 'falco' ? toFalco(alert) : alert);
  }

  async send(alert: Deliverable, signal: AbortSignal): Promise<SendResult> {
    const body = this.render(alert);
    const headers: Record<string, string> = {
      ...this.#c.headers,
      'content-type': 'application/json',
      'user-agent': 'shipwatch/0.1',
      // Idempotency key: lets a receiver drop the one resend a crash can cause (see delivery-queue.ts).
      'x-shipwatch-delivery': alert.id,
    };
    if (this.#c.secret) headers[SIGNATURE_HEADER] = signBody(body, this.#c.secret);
    // The alert id is the message id: a retry is the same message, signed again at its own time.
    if (this.#standard) Object.assign(headers, this.#standard.headers(alert.id, this.#now(), body));
    // node:http (http-post.ts), not fetch: under an alert storm undici's fetch — web streams per
    // request and body, an AbortSignal of its own, a DOMException for every body cancelled — was a
    // fifth of the main thread's work raising and delivering 1 000 alerts/s.
    return postForResult(this.#c.url, body, { headers, timeout: this.#c.timeout, signal, tls: null }, ({ status }) =>
      // Redirects are not followed (the alert would go where the config does not say): try again later.
      status >= 300 && status < 400 ? retry(`HTTP ${status} (redirects are not followed)`) : failed(`HTTP ${status}`),
    );
  }
}
