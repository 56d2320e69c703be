import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../agent/load-config.ts';
import { validateConfig } from '../../../agent/config.ts';
import { agentUrl } from '../../../alerts/alert-pipeline.ts';
import { AlertFactory } from '../../../alerts/alert.ts';
import { AlertmanagerTransport, generatorUrl, toPostableAlert } from '../../../alerts/alertmanager.ts';
import { egressFinding } from '../../support/findings.ts';
import { VerifyingReceiver } from '../../support/verifying-receiver.ts';

const alert = new AlertFactory({ host: 'h', dedupWindow: 0 }).raise(egressFinding())!.alert;

describe('alertmanager config', () => {
  it('reads a list of URLs and objects, each with its defaults', () => {
    const config = validateConfig(
      { alertmanager: ['http://127.0.0.1:1', { url: 'http://127.0.0.1:2', min_severity: 'high' }] },
      'test',
    );
    expect(config.alertmanager.map((a) => [a.url, a.min_severity, a.basic_auth])).toEqual([
      ['http://127.0.0.1:1', 'info', null],
      ['http://127.0.0.1:2', 'high', null],
    ]);
  });

  it('still reads the single object and the single URL of earlier configs as a list of one', () => {
    expect(validateConfig({ alertmanager: { url: 'http://127.0.0.1:1' } }, 't').alertmanager).toHaveLength(1);
    expect(validateConfig({ alertmanager: 'http://127.0.0.1:1' }, 't').alertmanager).toHaveLength(1);
    expect(validateConfig({ alertmanager: null }, 't').alertmanager).toEqual([]);
    expect(validateConfig({}, 't').alertmanager).toEqual([]);
  });

  it('refuses one URL listed twice, since each URL has its own queue', () => {
    expect(() => validateConfig({ alertmanager: ['http://127.0.0.1:1', { url: 'http://127.0.0.1:1' }] }, 't')).toThrow(
      /alertmanager\.1\.url: http:\/\/127\.0\.0\.1:1 is listed twice/,
    );
  });

  it('takes repeated --alertmanager flags and a comma-separated variable', () => {
    expect(loadConfig({ alertmanager: ['http://127.0.0.1:1', 'http://127.0.0.1:2'] }, {}).alertmanager).toHaveLength(2);
    expect(
      loadConfig({}, { SHIPWATCH_ALERTMANAGER: 'http://127.0.0.1:1,http://127.0.0.1:2' }).alertmanager,
    ).toHaveLength(2);
  });

  it('refuses basic and bearer auth together, and a client cert without its key, naming the entry', () => {
    expect(() =>
      validateConfig(
        {
          alertmanager: [
            { url: 'http://127.0.0.1:1', basic_auth: { username: 'u', password_file: '/p' }, bearer_token_file: '/t' },
          ],
        },
        't',
      ),
    ).toThrow(/alertmanager\.0: basic_auth and bearer_token_file exclude each other/);
    expect(() => validateConfig({ alertmanager: [{ url: 'http://127.0.0.1:1', tls: { cert: '/c' } }] }, 't')).toThrow(
      /alertmanager\.0\.tls: cert and key go together/,
    );
  });
});

describe('generatorURL', () => {
  it("links to the alert's entry in the agent's /api/alerts", () => {
    const link = new URL(generatorUrl('http://127.0.0.1:9477', alert));
    expect(link.pathname).toBe('/api/alerts');
    expect(Object.fromEntries(link.searchParams)).toEqual({
      rule: 'unexpected_egress',
      since: alert.firstSeen,
      container: 'aaaaaaaaaaaa',
    });
    expect(toPostableAlert(alert, 0, 'http://127.0.0.1:9477').generatorURL).toBe(link.toString());
  });

  it('names the host instead of a wildcard listen address, and https when the agent serves TLS', () => {
    expect(agentUrl({ listen: '0.0.0.0:9477', tls: null, host: 'docker-host-1' })).toBe('http://docker-host-1:9477');
    expect(agentUrl({ listen: '127.0.0.1:9477', tls: { cert: 'c', key: 'k' }, host: 'h' })).toBe(
      'https://127.0.0.1:9477',
    );
  });
});

describe('AlertmanagerTransport credentials', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-am-unit-'));
  const receiver = new VerifyingReceiver((headers) => (headers.authorization ? [] : ['no authorization']));
  let url = '';
  beforeAll(async () => {
    url = (await receiver.start()).replace(/\/hook$/, '');
    writeFileSync(path.join(dir, 'password'), 's3cret-pass\n');
    writeFileSync(path.join(dir, 'token'), 'tok-0123456789abcdef\n');
  });
  afterAll(async () => {
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const send = (extra: object) =>
    new AlertmanagerTransport(
      { url, min_severity: 'info', ...extra },
      { firingFor: 0, agentUrl: 'http://127.0.0.1:9477' },
    ).send(alert, new AbortController().signal);

  it('sends basic auth with the password read from its file, without the trailing newline', async () => {
    expect(await send({ basic_auth: { username: 'shipwatch', password_file: path.join(dir, 'password') } })).toEqual({
      outcome: 'delivered',
    });
    const judged = receiver.judged.at(-1)!;
    expect(judged.headers.authorization).toBe(`Basic ${Buffer.from('shipwatch:s3cret-pass').toString('base64')}`);
    expect((JSON.parse(judged.body) as { generatorURL: string }[])[0]?.generatorURL).toMatch(
      /^http:\/\/127\.0\.0\.1:9477\/api\/alerts\?/,
    );
  });

  it('sends a bearer token read from its file', async () => {
    await send({ bearer_token_file: path.join(dir, 'token') });
    expect(receiver.judged.at(-1)?.headers.authorization).toBe('Bearer tok-0123456789abcdef');
  });

  it('refuses to start when a secret file cannot be read, naming it', () => {
    expect(
      () =>
        new AlertmanagerTransport(
          { url, min_severity: 'info', bearer_token_file: path.join(dir, 'missing') },
          { firingFor: 0, agentUrl: null },
        ),
    ).toThrow(/bearer_token_file: cannot read .*missing: ENOENT/);
  });
});
