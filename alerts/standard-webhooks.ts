// Standard Webhooks signatures (standardwebhooks.com): `webhook-id`, `webhook-timestamp` (Unix
// seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 over "<id>.<timestamp>.<body>">`, made
// by the spec's own `standardwebhooks` library. Signing the id and the time with the body is what
// lets a receiver refuse a replayed request: stock verifiers reject a timestamp more than five
// minutes away from their clock.
import { Webhook } from 'standardwebhooks';

const PREFIX = 'whsec_';

/** Why a secret is not a usable `whsec_<base64>` one, or null when it is. */
export function standardWebhooksSecretProblem(secret: string): string | null {
  // The library decodes whatever it is given; the checks below are the spec's, so a typo in the
  // config is refused at load instead of signing with a key no receiver shares.
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
    return 'expected whsec_ followed by base64, e.g. whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  }
  const bytes = Buffer.from(encoded, 'base64').length;
  return bytes >= 24 && bytes <= 64 ? null : `expected a key of 24 to 64 bytes, got ${bytes}`;
}

/** Signs attempts with one secret: the same message id on every retry, the time of each attempt. */
export class StandardWebhooksSigner {
  readonly #webhook: Webhook;

  constructor(secret: string) {
    this.#webhook = new Webhook(secret);
  }

  /** The three headers for one attempt at `now` (ms since the epoch). */
  headers(id: string, now: number, body: string): Record<string, string> {
    // The spec's timestamp is whole seconds: sign exactly the value the header carries.
    const timestamp = Math.floor(now / 1000);
    return {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': this.#webhook.sign(id, new Date(timestamp * 1000), body),
    };
  }
}
