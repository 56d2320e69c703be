// A receiver's side of Standard Webhooks: the spec's own `standardwebhooks` library verifies, so
// what we sign is judged by the code receivers actually run (every `v1,` signature tried in
// constant time, a timestamp more than five minutes from the receiver's clock refused).
import type { IncomingHttpHeaders } from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/** The library's objections to one request ([] when it verifies). */
export function verifyStandardWebhook(secret: string, headers: IncomingHttpHeaders, body: string): string[] {
  const flat: Record<string, string> = {};
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    const value = headers[name];
    if (typeof value === 'string') flat[name] = value;
  }
  try {
    new Webhook(secret).verify(body, flat);
    return [];
  } catch (error) {
    if (error instanceof WebhookVerificationError) return [error.message];
    throw error;
  }
}
