import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertFactory } from '../../../alerts/alert.ts';
import {
  standardWebhooksKey,
  standardWebhooksSecretProblem,
  standardWebhooksSignature,
} from '../../../alerts/standard-webhooks.ts';
import { WebhookTransport } from '../../../alerts/webhook.ts';
import { egressFinding } from '../../support/findings.ts';
import { verifyStandardWebhook } from '../../support/standard-webhooks-verifier.ts';
import { VerifyingReceiver } from '../../support/verifying-receiver.ts';

// The spec's published vector (standard-webhooks, libraries/javascript/src/webhook.test.ts, "sign function works").
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('standardWebhooksSignature', () => {
  it("matches the spec's published test vector", () => {
    const key = standardWebhooksKey(SECRET);
    expect(standardWebhooksSignature(key, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('accepts whsec_ base64 secrets and refuses anything else', () => {
    expect(standardWebhooksSecretProblem(SECRET)).toBeNull();
    expect(standardWebhooksSecretProblem('change-me')).toMatch(/whsec_/);
    expect(standardWebhooksSecretProblem('whsec_c2hvcnQ=')).toMatch(/24 to 64 bytes/);
  });
});

describe('WebhookTransport with a Standard Webhooks secret', () => {
  const alert = new AlertFactory({ host: 'h', dedupWindow: 0 }).raise(egressFinding())!.alert;
  const receiver = new VerifyingReceiver((headers, body) => verifyStandardWebhook(SECRET, headers, body));
  let url = '';
  beforeAll(async () => {
    url = await receiver.start();
  });
  afterAll(() => receiver.stop());

  const transport = (now: () => number) =>
    new WebhookTransport(
      { url, format: 'shipwatch', standard_webhooks_secret: SECRET, headers: {}, timeout: 2000, min_severity: 'info' },
      now,
    );

  it('is accepted by a verifying receiver, with the alert id as webhook-id', async () => {
    const result = await transport(Date.now).send(alert, new AbortController().signal);
    expect(result).toEqual({ outcome: 'delivered' });
    expect(receiver.judged.at(-1)?.headers['webhook-id']).toBe(alert.id);
  });

  it('is refused by the receiver when its timestamp is more than five minutes old', async () => {
    const result = await transport(() => Date.now() - 6 * 60_000).send(alert, new AbortController().signal);
    expect(result.outcome).toBe('failed');
    expect(receiver.judged.at(-1)?.problems).toEqual([expect.stringMatching(/stale/)]);
  });

  it('is refused when the body was changed after signing', () => {
    const headers = { 'webhook-id': 'm', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) };
    const signature = standardWebhooksSignature(
      standardWebhooksKey(SECRET),
      'm',
      Number(headers['webhook-timestamp']),
      '{"a":1}',
    );
    expect(verifyStandardWebhook(SECRET, { ...headers, 'webhook-signature': signature }, '{"a":2}')).toEqual([
      'no webhook-signature matches',
    ]);
  });
});
