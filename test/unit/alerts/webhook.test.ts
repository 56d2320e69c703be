import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AlertFactory } from '../../../alerts/alert.ts';
import { WebhookTransport, signBody, sinkName } from '../../../alerts/webhook.ts';
import { egressFinding } from '../../support/findings.ts';

describe('signBody', () => {
  it('is sha256= and the hex HMAC-SHA256 of the exact body with the secret', () => {
    const body = '{"id":"abc"}';
    const expected = createHmac('sha256', 's3cret').update(body).digest('hex');
    expect(signBody(body, 's3cret')).toBe(`sha256=${expected}`);
  });

  it('matches a published HMAC-SHA256 test vector (RFC 4231 case 2)', () => {
    expect(signBody('what do ya want for nothing?', 'Jefe')).toBe(
      'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});

describe('WebhookTransport', () => {
  const alert = new AlertFactory({ host: 'h', dedupWindow: 0 }).raise(egressFinding())!.alert;
  const base = { headers: {}, timeout: 1000, min_severity: 'info' as const, url: 'http://127.0.0.1:1/hook' };

  it('renders the alert JSON or the Falco rendering as configured', () => {
    expect(JSON.parse(new WebhookTransport({ ...base, format: 'shipwatch' }).render(alert))).toEqual(alert);
    expect(JSON.parse(new WebhookTransport({ ...base, format: 'falco' }).render(alert))).toMatchObject({
      rule: 'unexpected_egress',
      priority: 'Error',
      source: 'shipwatch',
    });
  });

  it('names sinks stably by host and URL, without the path leaking into labels', () => {
    expect(sinkName('webhook', 'http://127.0.0.1:8080/a')).toMatch(/^webhook-127\.0\.0\.1_8080-[0-9a-f]{8}$/);
    expect(sinkName('webhook', 'http://127.0.0.1:8080/a')).toBe(sinkName('webhook', 'http://127.0.0.1:8080/a'));
    expect(sinkName('webhook', 'http://127.0.0.1:8080/a')).not.toBe(sinkName('webhook', 'http://127.0.0.1:8080/b'));
  });
});
