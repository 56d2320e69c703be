import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../../../agent/config.ts';
import { Detection } from '../../../../agent/detection.ts';
import { registerBaselineRoutes } from '../../../../agent/routes/baselines.ts';
import { registerSuppressionRoutes } from '../../../../agent/routes/suppressions.ts';
import { HttpServer } from '../../../../agent/server.ts';
import { Tokens } from '../../../../agent/tokens.ts';
import { Inventory } from '../../../../collector/inventory.ts';
import { api, exec, T0 } from '../../../fixtures/events.ts';

const log = pino({ level: 'silent' });
let server: HttpServer | null = null;

async function agent(tokens = new Tokens([])) {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-api-'));
  const config = validateConfig(
    { state_dir: dir, suppressions: [{ workload: 'shop/api', rule: 'interactive_exec', reason: 'ops runbook' }] },
    'test',
  );
  const detection = new Detection({
    config,
    inventory: new Inventory(),
    log,
    onFinding: () => undefined,
    clock: () => T0,
  });
  server = new HttpServer({ listen: '127.0.0.1:0', tokens, tls: null, log });
  registerBaselineRoutes(server, detection);
  registerSuppressionRoutes(server, detection.runner);
  const { port } = await server.listen();
  return { detection, base: `http://127.0.0.1:${port}` };
}

afterEach(async () => {
  await server?.close();
  server = null;
});

describe('baseline and suppression API', () => {
  it('serves a workload baseline by encoded and by plain project/service path', async () => {
    const { detection, base } = await agent();
    detection.handle(exec(T0, api, '/usr/local/bin/api', ['api']));
    for (const url of [`${base}/api/baselines/shop%2Fapi`, `${base}/api/baselines/shop/api`]) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        workload: 'shop/api',
        state: 'learning',
        executables: ['/usr/local/bin/api'],
      });
    }
    expect((await fetch(`${base}/api/baselines/nope`)).status).toBe(404);
  });

  it('replaces a baseline with PUT, persists it, and rejects an invalid one naming the key', async () => {
    const { detection, base } = await agent();
    const put = await fetch(`${base}/api/baselines/shop/api`, {
      method: 'PUT',
      body: JSON.stringify({ executables: ['/usr/sbin/nginx'], learnUntil: 0 }),
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({
      workload: 'shop/api',
      state: 'monitoring',
      executables: ['/usr/sbin/nginx'],
    });
    expect(detection.store.load('shop/api')?.executables).toEqual(['/usr/sbin/nginx']);
    const bad = await fetch(`${base}/api/baselines/shop/api`, {
      method: 'PUT',
      body: JSON.stringify({ egress: [{ port: 'http' }] }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('egress.0');
  });

  it('requires a token for PUT when tokens are configured', async () => {
    const { base } = await agent(new Tokens([['soc', 's3cret-token']]));
    const anonymous = await fetch(`${base}/api/baselines/shop/api`, { method: 'PUT', body: '{}' });
    expect(anonymous.status).toBe(401);
    const authorised = await fetch(`${base}/api/baselines/shop/api`, {
      method: 'PUT',
      body: '{}',
      headers: { authorization: 'Bearer s3cret-token' },
    });
    expect(authorised.status).toBe(200);
  });

  it('lists suppressions with how often each one fired', async () => {
    const { base } = await agent();
    const list = (await (await fetch(`${base}/api/suppressions`)).json()) as unknown[];
    expect(list).toEqual([
      { workload: 'shop/api', rule: 'interactive_exec', reason: 'ops runbook', suppressed: 0, lastSuppressed: null },
    ]);
  });
});
