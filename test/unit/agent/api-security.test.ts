// The API's own defences, over real sockets: constant-time token identification, a lock-out after
// repeated wrong tokens (429 with Retry-After), reads behind the token on a non-loopback address
// when asked, TLS with a real certificate (made by openssl here), and the page's security headers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthThrottle } from '../../../agent/auth-throttle.ts';
import { registerWebRoutes } from '../../../agent/routes/web.ts';
import { HttpServer } from '../../../agent/server.ts';
import { Tokens } from '../../../agent/tokens.ts';

const TOKEN = 'ops-token-0123456789abcdef';
const log = pino({ level: 'silent' });
let server: HttpServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

async function start(options: { listen?: string; reads?: boolean; tls?: { cert: string; key: string } } = {}) {
  server = new HttpServer({
    listen: options.listen ?? '127.0.0.1:0',
    tokens: new Tokens([['ops', TOKEN]]),
    tls: options.tls ?? null,
    log,
    requireTokenForReads: options.reads ?? false,
  });
  server.route({ method: 'GET', path: '/healthz', handler: () => ({ json: { status: 'ok' } }) });
  server.route({ method: 'GET', path: '/api/alerts', handler: () => ({ json: { alerts: [] } }) });
  server.route({
    method: 'POST',
    path: '/api/act',
    mutating: true,
    handler: (ctx) => ({ json: { actor: ctx.actor } }),
  });
  registerWebRoutes(server);
  const { port } = await server.listen();
  return `http://127.0.0.1:${port}`;
}

const call = (url: string, token?: string, method = 'GET') =>
  fetch(url, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('tokens', () => {
  it('identifies only the exact token, whatever the length or prefix of a guess', () => {
    const tokens = new Tokens([
      ['ops', TOKEN],
      ['ci', 'ci-token-fedcba9876543210'],
    ]);
    expect(tokens.identify(TOKEN)).toBe('ops');
    expect(tokens.identify('ci-token-fedcba9876543210')).toBe('ci');
    for (const guess of ['', 'o', TOKEN.slice(0, -1), `${TOKEN}x`, TOKEN.toUpperCase(), 'x'.repeat(10_000)]) {
      expect(tokens.identify(guess)).toBeNull();
    }
  });
});

describe('failed token attempts', () => {
  it('locks a client out with 429 and Retry-After after five wrong tokens, even for the right one', async () => {
    const base = await start();
    for (let i = 0; i < 5; i++)
      expect((await call(`${base}/api/act`, `wrong-${i}-0123456789abcdef`, 'POST')).status).toBe(401);
    expect((await call(`${base}/api/act`, 'wrong-5-0123456789abcdef', 'POST')).status).toBe(401);
    const locked = await call(`${base}/api/act`, TOKEN, 'POST');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await locked.json()).toMatchObject({ error: { code: 'too_many_attempts' } });
  });

  it('doubles the lock-out with each further failure and forgets a client that succeeds', () => {
    let now = 0;
    const throttle = new AuthThrottle(() => now);
    for (let i = 0; i < 5; i++) throttle.failed('a');
    expect(throttle.retryAfter('a')).toBe(0);
    throttle.failed('a');
    expect(throttle.retryAfter('a')).toBe(1000);
    now = 1000;
    throttle.failed('a');
    expect(throttle.retryAfter('a')).toBe(2000);
    expect(throttle.retryAfter('b')).toBe(0);
    throttle.succeeded('a');
    expect(throttle.retryAfter('a')).toBe(0);
  });
});

describe('reads behind the token', () => {
  it('on a non-loopback address with require_token_for_reads: 401 without the token, 200 with it, /healthz open', async () => {
    const base = await start({ listen: '0.0.0.0:0', reads: true });
    expect((await call(`${base}/api/alerts`)).status).toBe(401);
    expect((await call(`${base}/api/alerts`, TOKEN)).status).toBe(200);
    expect((await call(`${base}/healthz`)).status).toBe(200);
  });

  it('stays open on loopback, where only local users reach it', async () => {
    const base = await start({ reads: true });
    expect((await call(`${base}/api/alerts`)).status).toBe(200);
  });
});

describe('TLS', () => {
  it('serves HTTPS with the configured certificate, refuses plain HTTP on that port, and still checks the token', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sw-tls-'));
    const [cert, key] = [path.join(dir, 'cert.pem'), path.join(dir, 'key.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const base = (await start({ tls: { cert, key } })).replace('http:', 'https:');
    const get = (url: string, headers: Record<string, string> = {}, method = 'GET') =>
      new Promise<number>((resolve, reject) => {
        const req = https.request(url, { method, ca: readFileSync(cert), headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await get(`${base}/healthz`)).toBe(200);
    expect(await get(`${base}/api/act`, {}, 'POST')).toBe(401);
    expect(await get(`${base}/api/act`, { authorization: `Bearer ${TOKEN}` }, 'POST')).toBe(200);
    await expect(fetch(base.replace('https:', 'http:') + '/healthz')).rejects.toThrow();
    // An untrusted certificate is refused by a client that checks: the test's CA is what makes it pass.
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});

describe('the live page', () => {
  it('is served with a script-only-from-self CSP, no referrer, and nosniff', async () => {
    const base = await start();
    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
