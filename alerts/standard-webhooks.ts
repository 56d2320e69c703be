// Standard Webhooks signatures (standardwebhooks.com, spec "Verifying webhook authenticity"):
// `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64 of
// HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, the key being the base64 part of `whsec_<base64>`.
// Signing the id and the time with the body is what lets a receiver refuse a replayed request:
// stock verifiers reject a timestamp more than five minutes away from their clock.
// Written on node:crypto rather than the `standardwebhooks` package: it is a few lines of the
// spec, and the agent's shipped dependencies stay where they are (the tests verify with
// the spec's published vector).
import { createHmac } from 'node:crypto';

const PREFIX = 'whsec_';

/** The HMAC key of a `whsec_<base64>` secret (the prefix is optional, as the spec's libraries accept). */
export function standardWebhooksKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
}

/** Why a secret is not a usable `whsec_<base64>` one, or null when it is. */
export function standardWebhooksSecretProblem(secret: string): string | null {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
    return 'expected whsec_ followed by base64, e.g. whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  }
  // The spec asks for keys of 24 to 64 bytes.
  const bytes = Buffer.from(encoded, 'base64').length;
  return bytes >= 24 && bytes <= 64 ? null : `expected a key of 24 to 64 bytes, got ${bytes}`;
}

/** `v1,<base64>` over `${id}.${timestamp}.${body}`; timestamp in Unix seconds. */
export function standardWebhooksSignature(key: Buffer, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The three headers for one attempt: same id on every retry, the time (and so the signature) of this one. */
export function standardWebhooksHeaders(key: Buffer, id: string, now: number, body: string): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': standardWebhooksSignature(key, id, timestamp, body),
  };
}
