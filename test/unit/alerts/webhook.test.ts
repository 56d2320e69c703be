import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AlertFactory } from '../../../alerts/alert.ts';
import { WebhookTransport, signBody, sinkName } from '../../../alerts/webhook.ts';
import { egressFinding } from '../../support/findings.ts';
import { freePort, WebhookReceiver } from '../../support/webhook-receiver.ts';

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

describe('WebhookTransport.send', () => {
  const alert = new AlertFactory({ host: 'h', dedupWindow: 0 }).raise(egressFinding())!.alert;
  const sendTo = (url: string, timeout: number, secret?: string) =>
    new WebhookTransport({
      url,
      format: 'shipwatch',
      secret,
      headers: { 'x-team': 'soc' },
      timeout,
      min_severity: 'info',
    }).send(alert, new AbortController().signal);

  it('POSTs the signed body with its headers and reads the answer into a send result', async () => {
    const receiver = new WebhookReceiver(await freePort(), 's3cret');
    await receiver.start();
    const statuses = [200, 503, 429, 302, 400];
    const extra: Record<number, Record<string, string>> = {
      429: { 'retry-after': '7' },
      302: { location: '/elsewhere' },
    };
    receiver.behave((n) => ({ status: statuses[n]!, headers: extra[statuses[n]!] ?? {} }));
    const results = [];
    for (let i = 0; i < statuses.length; i++) results.push(await sendTo(receiver.url, 2000, 's3cret'));
    expect(results.map((x) => x.outcome)).toEqual(['delivered', 'retry', 'retry', 'retry', 'failed']);
    expect(results[2]).toMatchObject({ after: 7000 });
    expect(results[3]).toMatchObject({ reason: 'HTTP 302 (redirects are not followed)' });
    expect(receiver.requests).toHaveLength(5); // the redirect was not followed
    const first = receiver.requests[0]!;
    expect(JSON.parse(first.body)).toEqual(alert);
    expect(first.headers['content-type']).toBe('application/json');
    expect(first.headers['x-team']).toBe('soc');
    expect(first.delivery).toBe(alert.id);
    expect(first.signatureValid).toBe(true);
    await receiver.stop();
  });

  it('retries when nothing answers, and when the receiver is slower than the timeout', async () => {
    const refused = await sendTo('http://127.0.0.1:1/hook', 2000);
    expect(refused.outcome).toBe('retry');
    expect(refused.outcome === 'retry' && refused.reason).toContain('ECONNREFUSED');

    const receiver = new WebhookReceiver(await freePort(), 's3cret');
    await receiver.start();
    receiver.behave(() => 'hold'); // never answers
    const slow = await sendTo(receiver.url, 200);
    expect(slow.outcome).toBe('retry');
    await receiver.stop();
  });
});
