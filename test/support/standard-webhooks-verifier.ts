// A receiver's side of Standard Webhooks, written from the spec (standardwebhooks.com): the
// `standardwebhooks` package's own verifier could not be installed here (npm registry
// unreachable), so this follows its documented behaviour: every `v1,` signature in the header is
// tried, compared in constant time, and a timestamp more than five minutes from the receiver's
// clock is refused whatever the signature says.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const TOLERANCE_SECONDS = 5 * 60;

export function verifyStandardWebhook(
  secret: string,
  headers: IncomingHttpHeaders,
  body: string,
  now = Date.now(),
): string[] {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') {
    return ['missing webhook-id, webhook-timestamp or webhook-signature'];
  }
  const seconds = Number(timestamp);
  if (!/^\d+$/.test(timestamp)) return [`webhook-timestamp is not Unix seconds: ${timestamp}`];
  if (Math.abs(now / 1000 - seconds) > TOLERANCE_SECONDS) return [`webhook-timestamp ${timestamp} is stale`];
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  const match = signatures.split(' ').some((entry) => {
    const [version, mac] = entry.split(',');
    if (version !== 'v1' || !mac) return false;
    const given = Buffer.from(mac, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return match ? [] : ['no webhook-signature matches'];
}
