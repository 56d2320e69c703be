import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertFactory } from '../../../alerts/alert.ts';
import { StandardWebhooksSigner, standardWebhooksSecretProblem } from '../../../alerts/standard-webhooks.ts';
import { WebhookTransport } from '../../../alerts/webhook.ts';
import { egressFinding } from '../../support/findings.ts';
import { verifyStandardWebhook } from '../../support/standard-webhooks-verifier.ts';
import { VerifyingReceiver } from '../../support/verifying-receiver.ts';

// The spec's published vector (standard-webhooks, libraries/javascript/src/webhook.test.ts, "sign function works").
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('StandardWebhooksSigner', () => {
  it("matches the spec's published test vector", () => {
    const headers = new StandardWebhooksSigner(SECRET).headers(
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330_000,
      '{"test": 2432232314}',
    );
    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('signs the whole second the header carries, not the milliseconds', () => {
    const signer = new StandardWebhooksSigner(SECRET);
    expect(signer.headers('m', 1614265330_999, '{}')).toEqual(signer.headers('m', 1614265330_000, '{}'));
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
    expect(receiver.judged.at(-1)?.problems).toEqual([expect.stringMatching(/timestamp too old/)]);
  });

  it('is refused when the body was changed after signing', () => {
    const headers = new StandardWebhooksSigner(SECRET).headers('m', Date.now(), '{"a":1}');
    expect(verifyStandardWebhook(SECRET, headers, '{"a":1}')).toEqual([]);
    expect(verifyStandardWebhook(SECRET, headers, '{"a":2}')).toEqual(['No matching signature found']);
  });
});
